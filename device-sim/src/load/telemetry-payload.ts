import { type Encoding, encodeCbor, encodeMessage } from '@outpost/protocols';

/** Per encoding: true once a reading encoded directly proved byte-identical to the shared codec's output. */
const directEncodingMatches = new Map<Encoding, boolean>();

function encodeDirect(message: object, encoding: Encoding): Buffer {
  return encoding === 'json' ? Buffer.from(JSON.stringify(message)) : encodeCbor(message);
}

/** The fixed test wave: a degree per reading around 21 °C, humidity constant. */
export function waveMetrics(index: number): Record<string, number> {
  const phase = (index % 360) * (Math.PI / 180);
  return { temperature: Math.round((21 + 3 * Math.sin(phase)) * 100) / 100, humidity: 45 };
}

/**
 * One telemetry reading carrying the device's `seq` and send time. The values are a cheap deterministic
 * wave unless the device has a signal generator (`metrics`).
 *
 * Validating every reading costs about as much as the rest of a publish, which would lower the generator's
 * ceiling, and this shape never changes. So the first reading of each encoding goes through the shared
 * codec (`encodeMessage`, schema-checked) and is compared with the direct encoding; only when they are
 * byte-identical do later readings skip validation, so a codec change can never make us send something else.
 */
export function telemetryPayload(seq: number, tsMs: number, encoding: Encoding, metrics?: Record<string, number>): Buffer {
  const message = { v: 1 as const, ts: tsMs, seq, metrics: metrics ?? waveMetrics(seq) };
  const direct = directEncodingMatches.get(encoding);
  if (direct === true) return encodeDirect(message, encoding);
  const checked = encodeMessage('telemetry', message, encoding);
  if (direct === undefined) directEncodingMatches.set(encoding, checked.equals(encodeDirect(message, encoding)));
  return checked;
}
