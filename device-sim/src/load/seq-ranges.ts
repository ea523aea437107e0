/** Sorted, disjoint, inclusive [from, to] ranges of sequence numbers: one range per device when acks arrive in order. */
export type SeqRanges = [number, number][];

/** Add `seq` in place, merging neighbours. Appending in order is O(1); an out-of-order seq costs a search. */
export function addSeq(ranges: SeqRanges, seq: number): void {
  const last = ranges[ranges.length - 1];
  if (!last || seq > last[1] + 1) {
    ranges.push([seq, seq]);
    return;
  }
  if (seq === last[1] + 1) {
    last[1] = seq;
    return;
  }
  // Out of order: find the first range ending at or after seq - 1.
  let i = 0;
  while (i < ranges.length && ranges[i]![1] < seq - 1) i++;
  const r = ranges[i]!;
  if (seq >= r[0] && seq <= r[1]) return;
  if (seq === r[1] + 1) {
    r[1] = seq;
    const nextRange = ranges[i + 1];
    if (nextRange && nextRange[0] === seq + 1) {
      r[1] = nextRange[1];
      ranges.splice(i + 1, 1);
    }
  } else if (seq === r[0] - 1) r[0] = seq;
  else ranges.splice(i, 0, [seq, seq]);
}

export function countSeqs(ranges: SeqRanges): number {
  return ranges.reduce((n, [a, b]) => n + b - a + 1, 0);
}

/** The parts of `ranges` that also lie in `other` (both sorted and disjoint). */
export function intersectRanges(ranges: SeqRanges, other: SeqRanges): SeqRanges {
  const out: SeqRanges = [];
  let j = 0;
  for (const [a, b] of ranges) {
    while (j < other.length && other[j]![1] < a) j++;
    for (let k = j; k < other.length && other[k]![0] <= b; k++) {
      const from = Math.max(a, other[k]![0]);
      const to = Math.min(b, other[k]![1]);
      if (from <= to) out.push([from, to]);
    }
  }
  return out;
}

/** The parts of `ranges` not in `other` (both sorted and disjoint). */
export function subtractRanges(ranges: SeqRanges, other: SeqRanges): SeqRanges {
  const out: SeqRanges = [];
  let j = 0;
  for (const [a, b] of ranges) {
    let from = a;
    while (j < other.length && other[j]![1] < a) j++;
    for (let k = j; k < other.length && other[k]![0] <= b && from <= b; k++) {
      if (other[k]![0] > from) out.push([from, other[k]![0] - 1]);
      from = Math.max(from, other[k]![1] + 1);
    }
    if (from <= b) out.push([from, b]);
  }
  return out;
}
