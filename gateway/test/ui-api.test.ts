import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { loadGatewayConfig } from '../src/index.js';
import { openDatabase, storeFile } from '../src/store/database.js';
import { type TestGateway, startTestGateway } from './helpers/test-gateway.js';

/** A browser-like client: keeps cookies, sends the CSRF token it got from /ui/api/session. */
function uiClient(base: string) {
  const jar = new Map<string, string>();
  let csrf = '';
  const setCookies: string[] = [];
  async function call(method: string, path: string, body?: unknown, opts: { csrf?: boolean } = {}) {
    const headers: Record<string, string> = { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && opts.csrf !== false) headers['x-csrf-token'] = csrf;
    const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    for (const c of res.headers.getSetCookie()) {
      setCookies.push(c);
      const [pair] = c.split(';');
      const [k, v] = pair!.split('=');
      if (v) jar.set(k!, v);
      else jar.delete(k!);
    }
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } } };
  }
  return {
    jar,
    setCookies,
    call,
    async session() {
      const r = await call('GET', '/ui/api/session');
      csrf = r.body.csrfToken as string;
      return r.body;
    },
    async login(username: string, password: string) {
      await this.session();
      return call('POST', '/ui/api/login', { username, password });
    },
  };
}

describe('technician UI API: accounts, sessions, CSRF, lockout, settings', () => {
  let gw: TestGateway;
  let base: string;

  before(async () => {
    gw = await startTestGateway({ ui: { adminPassword: 'first-admin-pw', lockoutAfterFailures: 5, lockoutMs: 1500 } });
    base = `http://127.0.0.1:${gw.addresses.httpPort}`;
  });
  after(() => gw.close());

  it('keeps the bearer API separate: a bearer token is no UI session and a UI session is no bearer token', async () => {
    assert.equal((await gw.api('/api/v1/devices')).status, 200);
    const bearerOnUi = await fetch(`${base}/ui/api/devices`, { headers: { authorization: `Bearer ${gw.gateway.apiToken.value}` } });
    assert.equal(bearerOnUi.status, 401);
    const ui = uiClient(base);
    assert.equal((await ui.login('admin', 'first-admin-pw')).status, 200);
    assert.equal((await ui.call('GET', '/api/v1/devices')).status, 401);
  });

  it('sets HttpOnly SameSite=Strict cookies and stores only a hash of the session id', async () => {
    const ui = uiClient(base);
    await ui.login('admin', 'first-admin-pw');
    const session = ui.setCookies.find((c) => c.startsWith('outpost_session='))!;
    assert.match(session, /HttpOnly/);
    assert.match(session, /SameSite=Strict/);
    const id = ui.jar.get('outpost_session')!;
    const db = openDatabase(storeFile(gw.dataDir), { synchronous: 'normal', readonly: true });
    const stored = db.prepare('SELECT id_hash FROM ui_sessions').pluck().all() as string[];
    const hashes = db.prepare('SELECT password_hash FROM ui_users').pluck().all() as string[];
    db.close();
    assert.ok(stored.length > 0 && !stored.includes(id), 'the cookie value is not in the store');
    assert.ok(hashes.every((h) => h.startsWith('scrypt$')), 'passwords are scrypt hashes');
    assert.equal((await ui.call('POST', '/ui/api/logout', {})).status, 200);
    assert.equal((await ui.call('GET', '/ui/api/overview')).status, 401, 'logged out');
  });

  it('refuses state changes without the CSRF token, and logged-out requests', async () => {
    const ui = uiClient(base);
    await ui.login('admin', 'first-admin-pw');
    const noToken = await ui.call('POST', '/ui/api/devices', { id: 'csrf-1' }, { csrf: false });
    assert.equal(noToken.status, 403);
    assert.equal(noToken.body.error?.code, 'GW_ERR_CSRF');
    assert.equal((await ui.call('POST', '/ui/api/devices', { id: 'csrf-1' })).status, 201);
    const anonymous = uiClient(base);
    await anonymous.session();
    assert.equal((await anonymous.call('POST', '/ui/api/devices', { id: 'csrf-2' })).status, 401);
    assert.equal((await anonymous.call('GET', '/ui/api/devices')).status, 401);
  });

  it('enforces roles: viewers read, technicians change devices, admins manage users and settings', async () => {
    const admin = uiClient(base);
    await admin.login('admin', 'first-admin-pw');
    assert.equal((await admin.call('POST', '/ui/api/users', { username: 'val', password: 'val-password', role: 'viewer' })).status, 201);
    assert.equal((await admin.call('POST', '/ui/api/users', { username: 'ted', password: 'ted-password', role: 'technician' })).status, 201);
    assert.equal((await admin.call('POST', '/ui/api/users', { username: 'ted', password: 'ted-password', role: 'technician' })).body.error?.code, 'GW_ERR_USER_EXISTS');
    const viewer = uiClient(base);
    await viewer.login('val', 'val-password');
    assert.equal((await viewer.call('GET', '/ui/api/devices')).status, 200);
    assert.equal((await viewer.call('POST', '/ui/api/devices', { id: 'v-1' })).body.error?.code, 'GW_ERR_FORBIDDEN');
    const tech = uiClient(base);
    await tech.login('ted', 'ted-password');
    assert.equal((await tech.call('POST', '/ui/api/devices', { id: 't-1' })).status, 201);
    assert.equal((await tech.call('POST', '/ui/api/users', { username: 'x', password: 'x-password', role: 'admin' })).status, 403);
    assert.equal((await tech.call('PUT', '/ui/api/settings', { values: { 'store.maxAgeDays': 3 } })).status, 403);
  });

  it('locks an account after five wrong passwords, counts and logs it, and unlocks after lockoutMs', async () => {
    const admin = uiClient(base);
    await admin.login('admin', 'first-admin-pw');
    await admin.call('POST', '/ui/api/users', { username: 'lou', password: 'lou-password', role: 'technician' });
    const ui = uiClient(base);
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 5; i++) codes.push((await ui.login('lou', `nope-${i}`)).body.error?.code);
    assert.deepEqual(codes, ['GW_ERR_LOGIN', 'GW_ERR_LOGIN', 'GW_ERR_LOGIN', 'GW_ERR_LOGIN', 'GW_ERR_ACCOUNT_LOCKED']);
    const locked = await ui.login('lou', 'lou-password');
    assert.equal(locked.status, 423, 'the right password does not help while locked');
    const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${gw.gateway.apiToken.value}` } })).text();
    assert.match(text, /outpost_gw_ui_logins_total\{outcome="locked"\} [2-9]/);
    assert.match(text, /outpost_gw_ui_logins_total\{outcome="bad-credentials"\} [4-9]/);
    await new Promise((r) => setTimeout(r, 1600));
    assert.equal((await ui.login('lou', 'lou-password')).status, 200, 'unlocked after lockoutMs');
    assert.equal((await ui.login('nobody', 'whatever-pw')).body.error?.code, 'GW_ERR_LOGIN', 'unknown users get the same answer');
  });

  it('refuses the live WebSocket without a session', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${gw.addresses.httpPort}/ui/api/live?device=x`);
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => {});
    });
    ws.terminate();
    assert.equal(status, 401);
  });

  it('validates settings against the config schema and saves them to <dataDir>/settings.json', async () => {
    const admin = uiClient(base);
    await admin.login('admin', 'first-admin-pw');
    const bad = await admin.call('PUT', '/ui/api/settings', { values: { 'store.maxAgeDays': -1, 'sync.hubUrl': 'not a url' } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error!.message, /store\.maxAgeDays/);
    assert.match(bad.body.error!.message, /sync\.hubUrl: must be host:port/);
    const unknown = await admin.call('PUT', '/ui/api/settings', { values: { 'http.apiToken': 'x'.repeat(30) } });
    assert.equal(unknown.status, 400, 'only the listed keys can be changed');
    const ok = await admin.call('PUT', '/ui/api/settings', { values: { 'store.maxAgeDays': 7, 'sync.hubUrl': 'hub.example:7443', 'sync.enrollmentToken': 'enroll-123456' } });
    assert.equal(ok.status, 200);
    const saved = JSON.parse(readFileSync(join(gw.dataDir, 'settings.json'), 'utf8')) as { store: { maxAgeDays: number } };
    assert.equal(saved.store.maxAgeDays, 7);
    const view = ok.body.settings as { key: string; running: unknown; saved: unknown; pendingRestart: boolean; restart: boolean }[];
    const age = view.find((s) => s.key === 'store.maxAgeDays')!;
    assert.deepEqual({ running: age.running, saved: age.saved, pendingRestart: age.pendingRestart, restart: age.restart }, { running: 30, saved: 7, pendingRestart: true, restart: true });
    assert.equal(view.find((s) => s.key === 'sync.enrollmentToken')!.saved, 'set', 'secrets are not sent back');
  });
});

describe('settings file precedence: defaults < settings file < config file < env < command line', () => {
  it('reads <dataDir>/settings.json under every other layer and names it in errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-settings-'));
    try {
      writeFileSync(join(dir, 'settings.json'), JSON.stringify({ store: { maxAgeDays: 7, maxBytes: 5 * 1024 * 1024 }, limits: { deviceBurst: 10 }, sync: { hubUrl: 'a.example:1' } }));
      const file = join(dir, 'config.json');
      writeFileSync(file, JSON.stringify({ store: { maxAgeDays: 9 } }));
      const config = loadGatewayConfig({ env: { OUTPOST_GW_LIMITS_DEVICE_BURST: '20' }, file, overrides: { dataDir: dir } });
      assert.equal(config.store.maxBytes, 5 * 1024 * 1024, 'settings file over default');
      assert.equal(config.store.maxAgeDays, 9, 'config file over settings file');
      assert.equal(config.limits.deviceBurst, 20, 'environment over settings file');
      assert.equal(loadGatewayConfig({ env: {}, overrides: { dataDir: dir, sync: { hubUrl: 'b.example:2' } } }).sync.hubUrl, 'b.example:2', 'command line over settings file');
      assert.equal(loadGatewayConfig({ env: {}, overrides: { dataDir: dir }, settingsFile: false }).store.maxAgeDays, 30, 'can be skipped');
      writeFileSync(join(dir, 'settings.json'), JSON.stringify({ store: { maxAgeDays: -2 } }));
      assert.throws(() => loadGatewayConfig({ env: {}, overrides: { dataDir: dir } }), /store\.maxAgeDays from settings file .*settings\.json: got -2/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('first admin password', () => {
  it('is generated and returned once when not configured; a restart does not make another', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-gw-'));
    const first = await startTestGateway({}, dir);
    const password = first.gateway.ui.adminPassword;
    assert.ok(password && password.length >= 16);
    const ui = uiClient(`http://127.0.0.1:${first.addresses.httpPort}`);
    assert.equal((await ui.login('admin', password)).status, 200);
    await first.close({ keepData: true });
    const second = await startTestGateway({}, dir);
    assert.equal(second.gateway.ui.adminPassword, null);
    await second.close();
  });
});
