import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { fetchFromPage, launchBrowser, logIn, seedFleet } from './helpers/console-browser.js';
import { enroll } from './helpers/sync-client.js';
import { type TestHub, startTestHub } from './helpers/test-hub.js';

/** A request from inside the page, as a script on the page (or an attacker's form) would send it. */
const fromPage = (page: Page, method: string, path: string, withCsrf: boolean) => fetchFromPage(page, method, path, { csrfFrom: withCsrf ? '/console/api/session' : null });

describe('ops console in a real browser (Debian chromium, headless)', () => {
  let t: TestHub;
  let base: string;
  let fleet: Awaited<ReturnType<typeof seedFleet>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;

  before(async () => {
    t = await startTestHub();
    base = `http://127.0.0.1:${t.addresses.httpPort}`;
    fleet = await seedFleet(t);
    browser = await launchBrowser();
    page = browser.page;
  });
  after(async () => {
    await browser?.close();
    await fleet?.close();
    await t?.close();
  });

  it('refuses a wrong token, then logs in with the API token into an HttpOnly, SameSite=Strict cookie', async () => {
    await logIn(page, base, 'not-the-token-at-all-000000');
    await page.getByRole('alert').getByText('that is not the hub API token').waitFor();
    assert.equal((await page.context().cookies()).length, 0);
    await page.getByLabel('API token').fill(t.hub.apiToken.value);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Fleet' }).waitFor();
    assert.equal(await page.getByTestId('signed-in-as').textContent(), 'all tenants · superuser', 'the hub token is the superuser of every tenant');
    const [cookie] = await page.context().cookies();
    assert.deepEqual([cookie?.name, cookie?.httpOnly, cookie?.sameSite], ['outpost_hub_session', true, 'Strict']);
  });

  it('fleet: every gateway with its power mode (simulated shown), filterable by text and by state, sortable', async () => {
    const row = (id: string) => page.locator(`tr[data-gateway-id="${id}"]`);
    await row(fleet.north).getByTestId('power-mode').getByText('saver (simulated)').waitFor();
    assert.equal(await row(fleet.depot).getByTestId('power-mode').textContent(), 'performance');
    assert.equal(await row(fleet.spare).getByTestId('power-mode').textContent(), 'not reported');
    assert.match((await row(fleet.north).textContent()) ?? '', /connected.*outpost-gateway\/0\.1\.0/);

    await page.getByLabel('Search').fill('depot');
    await row(fleet.north).waitFor({ state: 'detached' });
    assert.equal(await page.locator('tbody tr').count(), 1);
    await page.getByLabel('Search').fill('');
    await page.getByLabel('State').selectOption('attention');
    await row(fleet.depot).waitFor({ state: 'detached' });
    assert.equal(await row(fleet.north).count(), 1, 'saver needs attention');
    await page.getByLabel('State').selectOption('all');

    await page.getByRole('button', { name: /^Gateway/ }).click(); // name, now descending
    await page.locator('th[aria-sort="descending"]').waitFor();
    const names = await page.locator('tbody tr td:first-child a').allTextContents();
    assert.deepEqual(names, ['substation-7', 'pumphouse-north', 'depot-east']);
  });

  it("gateway detail: each device's battery and forecast, adaptive reporting, recent alerts and summary charts", async () => {
    await page.locator(`tr[data-gateway-id="${fleet.north}"] a`).click();
    await page.getByRole('heading', { name: 'pumphouse-north' }).waitFor();
    const pump = page.locator('tr[data-device-id="pump-17"]');
    await pump.waitFor();
    const cells = await pump.locator('td').allTextContents();
    assert.equal(cells[2], '64 %');
    assert.match(cells[3]!, /^−12 %\/day, empty in about 5 d 7 h \(/);
    assert.equal(cells[4], 'on');
    assert.equal((await page.locator('tr[data-device-id="valve-3"] td').allTextContents())[4], 'off');
    await page.locator('[data-alert-id="a-2001"]').waitFor();
    assert.equal(await page.locator('[data-alert-id="a-2002"]').count(), 0, 'only this gateway’s alerts');
    await page.getByRole('img', { name: /^temp of pump-17/ }).locator('canvas').waitFor();
    await page.getByRole('img', { name: /^pressure of pump-17/ }).locator('canvas').waitFor();
    assert.match((await page.getByTestId('power-mode').textContent()) ?? '', /^saver \(simulated\) since /);
  });

  it('alerts across the fleet, newest first, filtered by gateway, severity and device', async () => {
    await page.getByRole('link', { name: 'Alerts' }).click();
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();
    await page.locator('[data-alert-id="a-2001"]').waitFor();
    assert.deepEqual(await page.getByTestId('alert').evaluateAll((els) => els.map((e) => e.getAttribute('data-alert-id'))), ['a-2002', 'a-2001']);
    await page.getByLabel('Severity').selectOption('critical');
    await page.locator('[data-alert-id="a-2002"]').waitFor({ state: 'detached' });
    await page.getByLabel('Severity').selectOption('');
    await page.getByLabel('Gateway').selectOption(fleet.depot);
    await page.locator('[data-alert-id="a-2001"]').waitFor({ state: 'detached' });
    await page.getByLabel('Gateway').selectOption('');
    await page.getByLabel('Device').fill('pump-17');
    await page.locator('[data-alert-id="a-2002"]').waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('alert').count(), 1);
  });

  it('an enrollment token is shown once and then enrolls a gateway', async () => {
    await page.getByRole('link', { name: 'Enrollment' }).click();
    await page.getByText('cannot list them').waitFor();
    await page.getByLabel('Valid for').selectOption({ label: '1 hour' });
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = ((await page.getByTestId('new-token').textContent()) ?? '').trim();
    assert.ok(token.length >= 20, token);
    await page.getByRole('button', { name: 'Copy token' }).click();
    await page.getByRole('status').waitFor();
    const enrolled = await enroll(t.client, token, 'from-console');
    assert.ok(t.hub.store.fleet.get(enrolled.gatewayId));
  });

  it('state changes need the CSRF token; the revoke button asks first, then revokes', async () => {
    assert.deepEqual(await fromPage(page, 'POST', `/api/v1/gateways/${fleet.spare}/revoke`, false), { status: 403, code: 'HUB_ERR_CSRF' });
    assert.equal(t.hub.store.fleet.get(fleet.spare)!.revokedAt, null);
    assert.equal((await fromPage(page, 'GET', '/api/v1/gateways', false)).status, 200, 'reads need only the session');

    await page.goto(`${base}/console/#/gateways/${fleet.spare}`);
    await page.getByRole('button', { name: 'Revoke gateway…' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(t.hub.store.fleet.get(fleet.spare)!.revokedAt, null);
    await page.getByRole('button', { name: 'Revoke gateway…' }).click();
    await page.getByRole('button', { name: 'Yes, revoke' }).click();
    await page.getByText(/^Revoked /).waitFor();
    assert.notEqual(t.hub.store.fleet.get(fleet.spare)!.revokedAt, null);
  });

  it('federated learning: each federation with its round history (a failed round shows its reason), and the stop button stops it', async () => {
    // The seeded gateways speak sync but run no trainer: no one answers the offer, so each round fails at its deadline.
    const created = await t.api<{ id: string }>('/api/v1/federations', {
      method: 'POST',
      json: { name: 'humidity-fleet', profile: 'humidity', rounds: 50, minClients: 2, phaseTimeoutMs: 200, retryDelayMs: 0, seed: 'console-test' },
    });
    assert.equal(created.status, 201);
    const id = created.body.id;
    await page.getByRole('link', { name: 'Federated learning' }).click();
    const row = page.locator('tr[data-testid="federation"]', { hasText: 'humidity-fleet' });
    await row.getByText('running').waitFor();
    assert.match((await row.textContent()) ?? '', /humidity.*fedavg · sgd/);

    await row.getByRole('link', { name: 'humidity-fleet' }).click();
    await page.getByRole('heading', { name: 'humidity-fleet' }).waitFor();
    const failed = page.locator('tr[data-testid="round"]').first();
    await failed.getByText('failed').waitFor({ timeout: 15_000 });
    const reason = (await failed.locator('.hint').textContent()) ?? '';
    const stored = (await t.api<{ rounds: { reason: string | null }[] }>(`/api/v1/federations/${id}`)).body.rounds;
    assert.ok(reason.length > 0 && stored.some((r) => r.reason === reason), `the page shows a stored round's reason: ${reason}`);

    await page.getByRole('button', { name: 'Stop federation…' }).click();
    await page.getByRole('button', { name: 'Stop now' }).click();
    await page.locator('dd .badge', { hasText: 'stopped' }).waitFor();
    assert.equal((await t.api<{ status: string }>(`/api/v1/federations/${id}`)).body.status, 'stopped');
  });

  it('logging out ends the session: the API refuses the old cookie', async () => {
    const [cookie] = await page.context().cookies();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('API token').waitFor();
    const res = await fetch(`${base}/api/v1/gateways`, { headers: { cookie: `${cookie!.name}=${cookie!.value}` } });
    assert.equal(res.status, 401);
  });
});
