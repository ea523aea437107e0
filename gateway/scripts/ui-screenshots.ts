// Screenshots of the technician UI's main pages for the README (docs/screenshots/*.png): a real gateway
// in this process with a few simulated devices, an alert, and Debian's chromium, headless.
// Run: npm run screenshots (builds the bundle first when it is stale).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deviceTopics, encodeMessage } from '@outpost/protocols';
import type { MqttClient } from 'mqtt';
import { connectDevice } from '../test/helpers/test-gateway.js';
import { connectInternal, injectAlert, launchBrowser, logIn, startUiGateway } from '../test/helpers/ui-browser.js';

const outDir = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
mkdirSync(outDir, { recursive: true });

const gw = await startUiGateway({ store: { maxBytes: 512 * 1024 * 1024 } });
const base = `http://127.0.0.1:${gw.addresses.httpPort}`;
const url = `mqtt://127.0.0.1:${gw.addresses.mqttPort}`;
const ids = ['pump-17', 'pump-18', 'chiller-2', 'meter-main'];
const secrets = await gw.provision(...ids, 'door-west');
const clients: MqttClient[] = [];
for (const [i, id] of ids.entries()) {
  const client = await connectDevice(url, id, secrets[id]!);
  clients.push(client);
  await client.publishAsync(deviceTopics.state(id), encodeMessage('state', { v: 1, battery: { percent: 96 - i * 17 }, firmware: `1.${4 + i}.0` }), { qos: 1 });
}
// A minute of history for the chart, then live readings every 500 ms.
const now = Date.now();
const temp = (t: number) => Math.round((21 + 2 * Math.sin(t / 9000) + Math.random() * 0.3) * 100) / 100;
for (let k = 120; k > 0; k--) {
  const ts = now - k * 500;
  await clients[0]!.publishAsync(deviceTopics.telemetry('pump-17'), encodeMessage('telemetry', { v: 1, ts, seq: 120 - k, metrics: { temp: temp(ts), pressure: Math.round((3.1 + Math.cos(ts / 7000) * 0.2) * 100) / 100 } }), { qos: 1 });
}
let seq = 120;
const timer = setInterval(() => {
  const ts = Date.now();
  for (const c of clients) void c.publishAsync(deviceTopics.telemetry(c.options.clientId!), encodeMessage('telemetry', { v: 1, ts, seq, metrics: { temp: temp(ts), pressure: 3.1 } }), { qos: 0 });
  seq++;
}, 500);
const internal = await connectInternal(gw.addresses.mqttPort, gw.dataDir);
await injectAlert(internal, { alertId: 'a-1001', deviceId: 'pump-17', metric: 'temp', score: 0.97 });
await injectAlert(internal, { alertId: 'a-1002', deviceId: 'chiller-2', metric: 'pressure', severity: 'warning', score: 0.84, kind: 'drift' });

const desktop = await launchBrowser({ width: 1280, height: 860 });
const page = desktop.page;
const shot = (name: string) => page.screenshot({ path: join(outDir, `${name}.png`), fullPage: true });
await page.goto(`${base}/`);
await page.getByRole('button', { name: 'Log in' }).waitFor();
await shot('login');
await logIn(page, base, 'admin', 'admin-password-1');
await page.getByRole('heading', { name: 'Overview' }).waitFor();
await new Promise((r) => setTimeout(r, 3500)); // let the messages-per-second rate fill
await page.reload();
await page.getByText('Devices online').waitFor();
await shot('overview');
await page.goto(`${base}/#/devices`);
await page.getByLabel('Device id').fill('valve-9');
await page.getByRole('button', { name: 'Add device' }).click();
await page.locator('.qr svg').waitFor();
await shot('devices');
await page.goto(`${base}/#/devices/pump-17`);
await page.getByText('Live: live.').waitFor();
await new Promise((r) => setTimeout(r, 2500));
await shot('device-detail');
await page.goto(`${base}/#/alerts`);
await page.locator('[data-alert-id="a-1001"]').waitFor();
await shot('alerts');
await page.goto(`${base}/#/diagnostics`);
await page.getByText('Recent log lines').waitFor();
await page.getByText('Temperature').waitFor();
await shot('diagnostics');
await page.goto(`${base}/#/settings`);
await page.getByRole('button', { name: 'Save settings' }).waitFor();
await shot('settings');
await desktop.close();

const phone = await launchBrowser({ width: 390, height: 844 });
await logIn(phone.page, base, 'admin', 'admin-password-1');
await phone.page.getByText('Devices online').waitFor();
await phone.page.screenshot({ path: join(outDir, 'overview-phone.png'), fullPage: true });
await phone.close();

clearInterval(timer);
for (const c of [...clients, internal]) c.end(true);
await gw.close();
process.stdout.write(`screenshots in ${outDir}\n`);
