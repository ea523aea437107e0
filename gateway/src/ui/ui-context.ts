import type { Counter } from 'prom-client';
import type { GatewayConfig } from '../config/config-schema.js';
import type { HttpDeps } from '../http/create-http.js';
import type { GatewayPower } from '../power/gateway-power.js';
import type { Db } from '../store/database.js';
import type { Account, Accounts, Role } from './accounts.js';
import type { AlertsView } from './alerts-view.js';
import type { Commands } from './commands.js';
import type { LiveFeed } from './live-feed.js';
import type { LogRing } from './log-ring.js';
import type { watchRuntimeStatus } from './runtime-status.js';
import type { Sessions } from './sessions.js';

/** The login session cookie (HttpOnly, SameSite=Strict). */
export const SESSION_COOKIE = 'outpost_session';

/** What the UI's routes need beyond the HTTP API's own dependencies. Built by createUi. */
export interface UiParts {
  config: GatewayConfig;
  db: Db;
  accounts: Accounts;
  sessions: Sessions;
  alerts: AlertsView;
  commands: Commands;
  live: LiveFeed;
  logRing: LogRing;
  runtime: ReturnType<typeof watchRuntimeStatus>;
  power: GatewayPower;
  loginCounter: Counter<'outcome'>;
  /** Built front-end (app.js, app.css); null when the bundle has not been built. */
  assetsDir: string | null;
  /** MQTT ports once the broker listens. */
  mqttPorts: () => { mqttPort: number; wsPort: number | null; tlsPort: number | null } | null;
  startedAt: number;
}

export type UiDeps = HttpDeps & { ui: UiParts };

/** A route's minimal role, in its fastify route config. */
export interface UiRouteConfig {
  role?: Role;
  public?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    account?: Account;
  }
  // Declared so that route configs type-check wherever another plugin (e.g. @fastify/swagger) adds its own keys.
  interface FastifyContextConfig {
    role?: Role;
    public?: boolean;
  }
}
