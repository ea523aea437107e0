// Screenshots of the ops console for the README (docs/screenshots/console-*.png): a real hub in this
// process with a small fleet synced over the sync stream, and Debian's chromium, headless.
// Run: npm run screenshots -w @outpost/cloud-hub (builds the bundle first when it is stale).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, logIn, seedFleet } from '../test/helpers/console-browser.js';
import { startTestHub } from '../test/helpers/test-hub.js';

const outDir = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
mkdirSync(outDir, { recursive: true });

const t = await startTestHub();
const base = `http://127.0.0.1:${t.addresses.httpPort}`;
const fleet = await seedFleet(t);
const browser = await launchBrowser({ width: 1280, height: 860 });
const page = browser.page;
const shot = (name: string) => page.screenshot({ path: join(outDir, `console-${name}.png`), fullPage: true });

await page.goto(`${base}/console/`);
await page.getByRole('button', { name: 'Log in' }).waitFor();
await shot('login');
await logIn(page, base, t.hub.apiToken.value);
await page.locator(`tr[data-gateway-id="${fleet.north}"]`).waitFor();
await shot('fleet');
await page.goto(`${base}/console/#/gateways/${fleet.north}`);
await page.locator('tr[data-device-id="pump-17"]').waitFor();
await page.getByRole('img', { name: /^temp of pump-17/ }).locator('canvas').waitFor();
await shot('gateway');
await page.goto(`${base}/console/#/alerts`);
await page.locator('[data-alert-id="a-2001"]').waitFor();
await shot('alerts');
await page.goto(`${base}/console/#/tokens`);
await page.getByRole('button', { name: 'Create token' }).click();
await page.getByTestId('new-token').waitFor();
await shot('tokens');

await browser.close();
await fleet.close();
await t.close();
process.stdout.write(`screenshots in ${outDir}\n`);
