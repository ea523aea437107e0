/**
 * The partition of a gateway's batches: murmur2 of the UTF-8 gateway id, as Kafka's Java client partitions
 * keyed records, so both Node clients (and any Java tool) agree and one gateway's batches stay in order in
 * one partition.
 */
export function partitionFor(gatewayId: string, partitions: number): number {
  return (murmur2(Buffer.from(gatewayId, 'utf8')) & 0x7fffffff) % partitions;
}

/** 32-bit murmur2 with Kafka's seed, on signed 32-bit arithmetic like the Java original. */
export function murmur2(data: Buffer): number {
  const m = 0x5bd1e995;
  const r = 24;
  const length = data.length;
  let h = (0x9747b28c ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= data[whole + 2]! << 16;
  if (rest >= 2) h ^= data[whole + 1]! << 8;
  if (rest >= 1) {
    h ^= data[whole]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}
