import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeMessage, deviceTopics, encodeMessage, localTopics } from '@outpost/protocols';
import type { MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { connectDevice } from './helpers/test-gateway.js';
import { connectInternal, fetchFromPage, injectAlert, launchBrowser, logIn, logOut, startUiGateway } from './helpers/ui-browser.js';

type Gw = Awaited<ReturnType<typeof startUiGateway>>;

/** POST from inside the page, as a script on the page (or an attacker's form) would. */
const postFromPage = (page: Page, path: string, body: unknown, withCsrf: boolean) => fetchFromPage(page, 'POST', path, { body, csrfFrom: withCsrf ? '/ui/api/session' : null });

describe('technician UI in a real browser (Debian chromium, headless)', () => {
  let gw: Gw;
  let base: string;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  const clients: MqttClient[] = [];

  before(async () => {
    gw = await startUiGateway({ ui: { lockoutMs: 60_000 } });
    base = `http://127.0.0.1:${gw.addresses.httpPort}`;
    browser = await launchBrowser();
    page = browser.page;
  });
  after(async () => {
    for (const c of clients) c.end(true);
    await browser?.close();
    await gw?.close();
  });

  it('logs in with the configured admin password', async () => {
    await logIn(page, base, 'admin', 'admin-password-1');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByText('admin (admin)').waitFor();
    await page.getByLabel('Power mode').getByText('not available yet').waitFor(); // the tiles come with the first poll
  });

  it('shows the power mode edge-runtime reports, labelled simulated when it is', async () => {
    const internal = await connectInternal(gw.addresses.mqttPort, gw.dataDir);
    const report = encodeMessage('localPowerMode', { v: 1, ts: Date.now(), mode: 'saver', simulated: true, source: 'battery', batteryPercent: 25, charging: false });
    await internal.publishAsync(localTopics.powerMode(), report, { qos: 1, retain: true });
    const tile = page.getByTestId('power-mode');
    await tile.getByText('saver (simulated)').waitFor({ timeout: 10_000 });
    const detail = (await tile.locator('.detail').textContent()) ?? '';
    assert.match(detail, /^simulated readings · battery 25 %, discharging · alerts sent at once, other data every 30 s · summaries and raw readings wait$/);
    await internal.publishAsync(localTopics.powerMode(), encodeMessage('localPowerMode', { v: 1, ts: Date.now(), mode: 'performance', simulated: false, source: 'ac' }), { qos: 1, retain: true });
    await tile.getByText('performance', { exact: true }).waitFor({ timeout: 10_000 });
    assert.equal(await tile.locator('.detail').textContent(), 'on mains');
    await internal.endAsync();
  });

  it('adds a device; an MQTT client connects with the credentials the page showed; its reading appears live', async () => {
    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByLabel('Device id').fill('pump-1');
    await page.getByRole('button', { name: 'Add device' }).click();
    const secret = (await page.getByTestId('created-secret').textContent())!;
    const broker = (await page.getByTestId('created-broker').textContent())!;
    assert.match(secret, /^[A-Za-z0-9_-]{32}$/);
    assert.ok(await page.locator('.qr svg').isVisible(), 'the QR code is shown');
    const device = await connectDevice(`mqtt://${broker}`, 'pump-1', secret);
    clients.push(device);

    await page.getByRole('link', { name: 'pump-1' }).click();
    await page.getByRole('heading', { name: 'Device pump-1' }).waitFor();
    await page.getByText('Live: live.').waitFor();
    await device.publishAsync(deviceTopics.telemetry('pump-1'), encodeMessage('telemetry', { v: 1, ts: Date.now(), seq: 1, metrics: { temp: 42.5 } }), { qos: 1 });
    await page.getByTestId('latest-reading').getByText(/temp 42\.5/).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('.chart canvas').count(), 1, 'uPlot drew the chart');
    const plotted = await page.locator('.chart').evaluate((el) => el.querySelectorAll('.u-legend .u-series').length);
    assert.ok(plotted >= 2, 'the chart has a series for temp');
  });

  it('sends a command and shows the result the device published', async () => {
    const device = clients[0]!;
    await device.subscribeAsync(deviceTopics.commands('pump-1'), { qos: 1 });
    device.on('message', (topic, payload) => {
      if (topic !== deviceTopics.commands('pump-1')) return;
      const { message } = decodeMessage('command', payload);
      void device.publishAsync(deviceTopics.commandResults('pump-1'), encodeMessage('commandResult', { v: 1, commandId: message.commandId, status: 'ok', result: { rebooted: true } }), { qos: 1 });
    });
    await page.getByLabel('Command', { exact: true }).fill('reboot');
    await page.getByRole('button', { name: 'Send command' }).click();
    await page.getByTestId('command-row').getByText('ok {"rebooted":true}').waitFor({ timeout: 15_000 });
  });

  it('shows the battery forecast and the reporting policy of a device', async () => {
    const device = clients[0]!;
    // Device time: four hourly battery levels up to now.
    const t0 = Date.now() - 3 * 3_600_000;
    for (let i = 0; i < 4; i++) await device.publishAsync(deviceTopics.state('pump-1'), encodeMessage('state', { v: 1, ts: t0 + i * 3_600_000, battery: { percent: 80 - i } }), { qos: 1 });
    const policy = { intervalMs: 60_000, mode: 'adaptive', predictor: 'last-value', tolerance: { temp: 0.5 } };
    assert.equal((await gw.api('/api/v1/devices/pump-1/reporting', { method: 'PUT', body: JSON.stringify(policy) })).status, 200);
    await page.reload();
    await page.getByRole('heading', { name: 'Device pump-1' }).waitFor();
    await page.getByTestId('battery-forecast').getByText(/^−24 %\/day, empty in about/).waitFor({ timeout: 10_000 });
    await page.getByTestId('reporting').getByText(/^adaptive \(last-value, temp ±0\.5\), sampled every 60 s/).waitFor();
    await page.getByRole('link', { name: '← Devices' }).click();
    const row = page.getByRole('row', { name: /pump-1/ });
    await row.getByTestId('battery-forecast').getByText(/^−24 %\/day/).waitFor({ timeout: 10_000 });
    assert.ok(await page.getByRole('columnheader', { name: 'Battery forecast' }).isVisible());
  });

  it('shows an injected anomaly alert and labels it', async () => {
    const internal = await connectInternal(gw.addresses.mqttPort, gw.dataDir);
    clients.push(internal);
    await injectAlert(internal, { alertId: 'alert-1', deviceId: 'pump-1' });
    await page.getByRole('link', { name: 'Alerts' }).click();
    const alert = page.locator('[data-alert-id="alert-1"]');
    await alert.waitFor({ timeout: 10_000 });
    await alert.getByLabel('anomaly').check();
    await alert.getByLabel('Note').fill('bearing noise, confirmed on site');
    await alert.getByRole('button', { name: 'Save label' }).click();
    await alert.getByText('labelled anomaly by admin: bearing noise, confirmed on site').waitFor();
    await alert.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByText('No alerts match.').waitFor();
  });

  it('refuses a state-changing request without the CSRF token', async () => {
    const without = await postFromPage(page, '/ui/api/devices', { id: 'sneaky-1' }, false);
    assert.deepEqual(without, { status: 403, code: 'GW_ERR_CSRF' });
    assert.equal(gw.gateway.registry.get('sneaky-1'), undefined, 'nothing was created');
    const withToken = await postFromPage(page, '/ui/api/devices', { id: 'honest-1' }, true);
    assert.equal(withToken.status, 201);
  });

  it('an admin adds users; a viewer cannot add devices', async () => {
    await page.getByRole('link', { name: 'Users' }).click();
    for (const [name, role] of [
      ['vera', 'viewer'],
      ['tom', 'technician'],
    ] as const) {
      await page.getByLabel('User name').fill(name);
      await page.getByLabel('Password').fill(`${name}-password`);
      await page.getByLabel('Role').selectOption(role);
      await page.getByRole('button', { name: 'Add user' }).click();
      await page.getByRole('cell', { name, exact: true }).waitFor();
    }
    await logOut(page);
    await logIn(page, base, 'vera', 'vera-password');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('link', { name: 'pump-1' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add device' }).count(), 0, 'no add form for a viewer');
    const attempt = await postFromPage(page, '/ui/api/devices', { id: 'viewer-1' }, true);
    assert.deepEqual(attempt, { status: 403, code: 'GW_ERR_FORBIDDEN' });
    assert.equal(gw.gateway.registry.get('viewer-1'), undefined);
    await logOut(page);
  });

  it('five bad passwords lock the account, even against the right password', async () => {
    for (let i = 1; i <= 5; i++) {
      await page.getByLabel('User name').fill('tom');
      await page.getByLabel('Password').fill(`wrong-${i}`);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('alert').getByText(i < 5 ? /wrong user name or password/ : /account locked/).waitFor();
    }
    await page.getByLabel('Password').fill('tom-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').getByText(/account locked/).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Overview' }).count(), 0);
    // The lockout is logged, for the operator, and shows on the diagnostics page's log lines.
    assert.ok(gw.gateway.ui.parts.logRing.recent(50).some((l) => l.includes('"event":"ui-login-locked"')));
  });
});
