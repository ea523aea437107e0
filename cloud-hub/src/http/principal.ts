import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, RouteOptions } from 'fastify';
import { HubError } from '../errors.js';
import { API_ROLES, type ApiRole, DEFAULT_TENANT, type TenantStore } from '../store/hub-store.js';

/** The least a caller needs to reach a route: `public` needs nothing, `superuser` the hub API token. */
export const ROUTE_ROLES = ['public', ...API_ROLES, 'superuser'] as const;
export type RouteRole = (typeof ROUTE_ROLES)[number];

/** Who is calling: the hub API token (every tenant) or one tenant's API token with its role. */
export interface Principal {
  /** null: the hub API token, over every tenant. */
  tenantId: string | null;
  role: ApiRole | 'superuser';
  /** The API token's id; null for the hub API token. */
  tokenId: string | null;
}

declare module 'fastify' {
  // `apiRole`, not `role`: the gateway's UI declares a `role` of its own, and augmentations are global.
  interface FastifyContextConfig {
    /** The least role that may call the route; every route declares one (checked at start-up). */
    apiRole?: RouteRole;
  }
  interface FastifyRequest {
    /** Set by the authentication hook on every non-public route. */
    principal: Principal | null;
  }
}

export const SUPERUSER: Principal = Object.freeze({ tenantId: null, role: 'superuser', tokenId: null });

// Auditor is viewer plus the audit and usage records; operator is viewer plus changes; admin is both plus its
// tenant's API tokens. Not a line: an auditor never changes anything, an operator reads no audit records.
const GRANTS: Record<ApiRole, ReadonlySet<RouteRole>> = {
  viewer: new Set(['public', 'viewer']),
  auditor: new Set(['public', 'viewer', 'auditor']),
  operator: new Set(['public', 'viewer', 'operator']),
  admin: new Set(['public', 'viewer', 'auditor', 'operator', 'admin']),
};

export function allows(principal: Principal, role: RouteRole): boolean {
  return principal.role === 'superuser' || GRANTS[principal.role].has(role);
}

// Routes that plugins register without our config: the API docs page (swagger-ui) and the console's bundle.
const PLUGIN_ROUTE_ROLES: [prefix: string, role: RouteRole][] = [
  ['/api/docs', 'viewer'],
  ['/console/assets/', 'public'],
];

/** onRoute hook: a route without a known role stops start-up, so no route is ever left unguarded by mistake. */
export function requireRouteRole(route: RouteOptions): void {
  const declared = (route.config as { apiRole?: unknown } | undefined)?.apiRole;
  if (declared !== undefined) {
    if (!(ROUTE_ROLES as readonly unknown[]).includes(declared)) throw new Error(`route ${String(route.method)} ${route.url} declares an unknown role ${JSON.stringify(declared)}`);
    return;
  }
  const plugin = PLUGIN_ROUTE_ROLES.find(([prefix]) => route.url.startsWith(prefix));
  if (!plugin) throw new Error(`route ${String(route.method)} ${route.url} declares no role: add config: { apiRole: ... }`);
  route.config = { ...(route.config as object), apiRole: plugin[1] } as RouteOptions['config'];
}

/** The caller of an authenticated route. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new HubError('HUB_ERR_UNAUTHORIZED');
  return request.principal;
}

/** The tenant a request may see; undefined: every tenant (the hub API token). */
export function tenantScope(request: FastifyRequest): string | undefined {
  return principalOf(request).tenantId ?? undefined;
}

/**
 * The tenant a request creates something for: a tenant's token creates in its own tenant (naming another is
 * refused whether it exists or not); the hub API token names one, or gets the default tenant.
 */
export function targetTenant(request: FastifyRequest, requested: string | undefined, tenants: TenantStore): string {
  const own = principalOf(request).tenantId;
  if (own !== null) {
    if (requested !== undefined && requested !== own) throw new HubError('HUB_ERR_FORBIDDEN', 'a tenant API token acts on its own tenant only');
    return own;
  }
  const tenantId = requested ?? DEFAULT_TENANT;
  if (!tenants.get(tenantId)) throw new HubError('HUB_ERR_TENANT_NOT_FOUND', tenantId);
  return tenantId;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();
/** The console cookie's subject for the hub API token (token ids start with `atk-`). */
const HUB_SUBJECT = 'hub';

/** Turns what a caller presents (a bearer token, or a console session's subject) into a principal. */
export function createPrincipals(apiToken: string, tenants: TenantStore) {
  const expected = sha256(apiToken);
  const ofToken = (id: string): Principal | null => {
    const record = tenants.getApiToken(id);
    return record && record.revokedAt === null ? { tenantId: record.tenantId, role: record.role, tokenId: record.id } : null;
  };
  return {
    /** The hub API token or a live tenant API token; null otherwise (revoked ones included). */
    fromToken(token: string): Principal | null {
      if (timingSafeEqual(sha256(token), expected)) return SUPERUSER;
      const record = tenants.findApiToken(token);
      return record ? ofToken(record.id) : null;
    },
    /** A console session's subject, looked up again on every request: revoking the token ends its sessions. */
    fromSubject(subject: string): Principal | null {
      return subject === HUB_SUBJECT ? SUPERUSER : ofToken(subject);
    },
    subjectOf(principal: Principal): string {
      return principal.tokenId ?? HUB_SUBJECT;
    },
  };
}

export type Principals = ReturnType<typeof createPrincipals>;
