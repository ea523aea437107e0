import { SimError } from '../errors.js';
import { addSeq, countSeqs, type SeqRanges, subtractRanges } from '../load/seq-ranges.js';
import type { DeviceResult } from '../load/worker-protocol.js';

/** What the gateway's `GET /api/v1/devices/:id/audit` returns. */
interface SeqAuditResponse {
  stored: number;
  duplicates: number;
  minSeq: number | null;
  maxSeq: number | null;
  /** Gaps between minSeq and maxSeq; the gateway lists at most this many. */
  missing: [number, number][];
}
const GATEWAY_MAX_GAPS = 100;
const READINGS_PAGE = 1000;

export interface LossAuditOptions {
  /** The gateway's HTTP API, e.g. http://127.0.0.1:8080 */
  apiUrl: string;
  apiToken: string;
  devices: readonly DeviceResult[];
  /** Requests in flight at once. */
  concurrency?: number;
}

export interface DeviceLoss {
  id: string;
  acked: number;
  stored: number;
  duplicates: number;
  /** Acked seqs the store does not hold. */
  missing: SeqRanges;
}

export interface LossAuditReport {
  devices: number;
  acked: number;
  stored: number;
  /** Acked but not stored: must be 0. */
  missing: number;
  /** Stored more than once (a QoS 1 resend after a lost PUBACK; not loss, but counted). */
  duplicates: number;
  devicesWithLoss: number;
  /** Up to 20 devices with loss, and their missing ranges. */
  lossSamples: { id: string; missing: SeqRanges }[];
  ok: boolean;
}

async function getJson<T>(url: string, token: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  } catch (cause) {
    throw new SimError('SIM_ERR_AUDIT', `GET ${url} failed: ${(cause as Error).message}`, { cause });
  }
  if (!response.ok) throw new SimError('SIM_ERR_AUDIT', `GET ${url} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  return (await response.json()) as T;
}

/** The stored seqs as ranges: [minSeq, maxSeq] minus the gaps, or every reading paged through when the gap list is cut. */
async function storedRanges(base: string, token: string, id: string, audit: SeqAuditResponse): Promise<SeqRanges> {
  if (audit.minSeq === null || audit.maxSeq === null) return [];
  if (audit.missing.length < GATEWAY_MAX_GAPS) return subtractRanges([[audit.minSeq, audit.maxSeq]], audit.missing);
  const seqs: number[] = [];
  let before: number | undefined;
  for (;;) {
    const page = await getJson<{ readings: { id: number; seq: number | null }[] }>(
      `${base}/api/v1/devices/${encodeURIComponent(id)}/readings?limit=${READINGS_PAGE}${before === undefined ? '' : `&before=${before}`}`,
      token,
    );
    for (const r of page.readings) if (r.seq !== null) seqs.push(r.seq);
    if (page.readings.length < READINGS_PAGE) break;
    before = page.readings.at(-1)!.id;
  }
  const ranges: SeqRanges = [];
  for (const s of seqs.sort((a, b) => a - b)) addSeq(ranges, s);
  return ranges;
}

/**
 * Check through the gateway's API that every seq a device had acked is stored: acked means durable.
 * Needs the per-device acked ranges of a run (`LoadReport.devices`). Devices that acked nothing are skipped.
 */
export async function runLossAudit(o: LossAuditOptions): Promise<LossAuditReport> {
  const base = o.apiUrl.replace(/\/+$/, '');
  const todo = o.devices.filter((d) => d.acked > 0);
  const results: DeviceLoss[] = [];
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const device = todo[next++]!;
      const audit = await getJson<SeqAuditResponse>(`${base}/api/v1/devices/${encodeURIComponent(device.id)}/audit`, o.apiToken);
      const stored = await storedRanges(base, o.apiToken, device.id, audit);
      results.push({ id: device.id, acked: countSeqs(device.ackedRanges), stored: audit.stored, duplicates: audit.duplicates, missing: subtractRanges(device.ackedRanges, stored) });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 8) }, worker));
  const lossy = results.filter((r) => r.missing.length > 0).sort((a, b) => a.id.localeCompare(b.id));
  const missing = lossy.reduce((n, r) => n + countSeqs(r.missing), 0);
  return {
    devices: results.length,
    acked: results.reduce((n, r) => n + r.acked, 0),
    stored: results.reduce((n, r) => n + r.stored, 0),
    missing,
    duplicates: results.reduce((n, r) => n + r.duplicates, 0),
    devicesWithLoss: lossy.length,
    lossSamples: lossy.slice(0, 20).map((r) => ({ id: r.id, missing: r.missing.slice(0, 10) })),
    ok: missing === 0,
  };
}

export function formatLossAudit(a: LossAuditReport): string {
  return `loss audit: ${a.devices} devices, ${a.acked} acked, ${a.stored} stored, ${a.missing} acked but missing, ${a.duplicates} duplicates — ${a.ok ? 'OK' : 'LOSS'}`;
}
