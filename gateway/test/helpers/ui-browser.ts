import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeMessage, localTopics, type LocalAlert } from '@outpost/protocols';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import type { Page } from 'playwright-core';
import type { GatewayConfigInput } from '../../src/index.js';
import { createLogRing } from '../../src/ui/log-ring.js';
import { startTestGateway } from './test-gateway.js';

export { CHROMIUM, fetchFromPage, launchBrowser } from '@outpost/web-kit/testing/browser';

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
