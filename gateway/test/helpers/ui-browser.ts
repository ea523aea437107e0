import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeMessage, localTopics, type LocalAlert } from '@outpost/protocols';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import type { GatewayConfigInput } from '../../src/index.js';
import { createLogRing } from '../../src/ui/log-ring.js';
import { startTestGateway } from './test-gateway.js';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Debian's chromium, headless, with a fresh user-data dir (installed by `npm test`'s setup). */
export async function launchBrowser(viewport = { width: 1280, height: 860 }): Promise<{ context: BrowserContext; page: Page; close: () => Promise<void> }> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'outpost-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** A real gateway in this process with the UI, its log lines teed into the diagnostics ring. */
export async function startUiGateway(overrides: GatewayConfigInput = {}) {
  const logRing = createLogRing();
  const logger = pino({ level: 'info', base: { pid: process.pid } }, logRing);
  return startTestGateway({ ...overrides, ui: { adminPassword: 'admin-password-1', ...overrides.ui } }, undefined, { logger, logRing });
}

export async function logIn(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/#/`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

export async function logOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('button', { name: 'Log in' }).waitFor();
}

/** Connect as an internal client (as edge-runtime does), with the secret from `<dataDir>/internal-secret`. */
export function connectInternal(mqttPort: number, dataDir: string): Promise<MqttClient> {
  const password = readFileSync(join(dataDir, 'internal-secret'), 'utf8').trim();
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(`mqtt://127.0.0.1:${mqttPort}`, { clientId: '_internal.test', username: '_internal', password, reconnectPeriod: 0 });
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

/** Publish an anomaly alert on `local/v1/alerts` (QoS 1: acked once stored). */
export async function injectAlert(internal: MqttClient, alert: Partial<LocalAlert> & { alertId: string; deviceId: string }): Promise<void> {
  const payload = encodeMessage('localAlert', { v: 1, ts: Date.now(), source: 'model', kind: 'anomaly', severity: 'critical', score: 0.97, threshold: 0.8, metric: 'temp', modelVersion: 'test-1', ...alert });
  await internal.publishAsync(localTopics.alerts(), payload, { qos: 1 });
}
