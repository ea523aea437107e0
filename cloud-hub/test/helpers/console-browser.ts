import type { Page } from 'playwright-core';
import { TestStream, record } from './sync-client.js';
import type { TestHub } from './test-hub.js';

export { CHROMIUM, fetchFromPage, launchBrowser } from '@outpost/web-kit/testing/browser';

export async function logIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Log in' }).click();
}

const HOUR = 3_600_000;

/**
 * A small fleet synced the way a gateway syncs: each gateway says Hello with its power mode, then sends
 * device state (with the battery forecast the gateway adds), alerts and summaries over the sync stream.
 * The streams stay open (connected gateways) until `close`.
 */
export async function seedFleet(t: TestHub, now = Date.now()) {
  const streams: TestStream[] = [];
  async function gateway(name: string, power: { mode: string; simulated: boolean } | null, records: (seq: () => number) => ReturnType<typeof record>[]) {
    const { gatewayId, credential } = await t.enrollGateway(name);
    const stream = new TestStream(t.client, credential);
    streams.push(stream);
    await stream.welcome({
      softwareVersion: 'outpost-gateway/0.1.0',
      backlogRecords: 120,
      backlogOldestMs: now - 40 * 60_000,
      ...(power ? { power: { ...power, sinceMs: now - 2 * HOUR, source: 'battery' } } : {}),
    });
    let seq = 0;
    await stream.send(records(() => ++seq));
    return gatewayId;
  }
  const state = (deviceId: string, percent: number, perDay: number, adaptive: boolean) => ({
    v: 1,
    deviceId,
    ts: now - 60_000,
    state: {
      battery: { percent },
      firmware: '1.4.0',
      reported: {},
      batteryForecast: { percent, percentPerDay: perDay, emptyAt: Math.round(now + (percent / -perDay) * 86_400_000), basedOnSamples: 96, spanMs: 2 * 86_400_000 },
      adaptiveReporting: adaptive,
    },
  });
  const summaries = (seq: () => number, deviceId: string, metric: string, base: number) =>
    Array.from({ length: 30 }, (_, i) => {
      const mean = base + 2 * Math.sin(i / 4);
      return record(seq(), 'summary', { v: 1, deviceId, metric, windowStartMs: now - (30 - i) * 60_000, windowMs: 60_000, count: 60, min: mean - 0.8, max: mean + 0.9, mean, last: mean, stddev: 0.4 });
    });
  const alert = (alertId: string, deviceId: string, severity: string, metric: string, score: number) => ({ v: 1, alertId, deviceId, ts: now - 5 * 60_000, source: 'model', kind: 'anomaly', severity, metric, score, threshold: 0.8 });

  const north = await gateway('pumphouse-north', { mode: 'saver', simulated: true }, (seq) => [
    record(seq(), 'deviceState', state('pump-17', 64, -12, true)),
    record(seq(), 'deviceState', state('valve-3', 23, -3.5, false)),
    record(seq(), 'alert', alert('a-2001', 'pump-17', 'critical', 'temp', 0.97)),
    ...summaries(seq, 'pump-17', 'temp', 21),
    ...summaries(seq, 'pump-17', 'pressure', 3.1),
  ]);
  const depot = await gateway('depot-east', { mode: 'performance', simulated: false }, (seq) => [
    record(seq(), 'deviceState', state('meter-main', 91, -0.4, false)),
    record(seq(), 'alert', alert('a-2002', 'meter-main', 'warning', 'power', 0.86)),
  ]);
  const spare = await gateway('substation-7', null, (seq) => [record(seq(), 'event', { v: 1, deviceId: 'door-1', ts: now, type: 'door', severity: 'info' })]);
  return {
    north,
    depot,
    spare,
    async close() {
      await Promise.all(streams.map((s) => s.end()));
    },
  };
}
