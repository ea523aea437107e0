import fc from 'fast-check';

/**
 * A CBOR data item built byte by byte, with what any correct decoder must make of it: whether it is
 * inside the protocol's CBOR profile (see test-vectors/README.md), whether every float in it is finite,
 * and the JSON value it stands for. cbor-x's own encoder never writes most of these shapes (non-minimal
 * widths, indefinite lengths, half floats, tags around arbitrary items), which is why they are hand-built.
 */
export interface CborSample {
  hex: string;
  value: unknown;
  inProfile: boolean;
  finite: boolean;
}

const WIDTH_LIMITS: [number, number][] = [
  [0, 23],
  [1, 0xff],
  [2, 0xffff],
  [4, 0xffffffff],
  [8, Number.MAX_SAFE_INTEGER],
];

function headHex(major: number, n: number, width: number): string {
  if (width === 0) return ((major << 5) | n).toString(16).padStart(2, '0');
  const info = { 1: 24, 2: 25, 4: 26, 8: 27 }[width] as number;
  const initial = ((major << 5) | info).toString(16).padStart(2, '0');
  return initial + n.toString(16).padStart(width * 2, '0');
}

/** A head for `n` in any width that fits, minimal or not: decoders must accept both. */
function head(major: number, n: number): fc.Arbitrary<string> {
  const widths = WIDTH_LIMITS.filter(([, max]) => n <= max).map(([width]) => width);
  return fc.constantFrom(...widths).map((width) => headHex(major, n, width));
}

const utf8Hex = (text: string) => Buffer.from(text, 'utf8').toString('hex');
const sample = (hex: string, value: unknown, inProfile = true, finite = true): CborSample => ({ hex, value, inProfile, finite });

function floatHex(prefix: string, bytes: number, write: (view: DataView) => void): string {
  const view = new DataView(new ArrayBuffer(bytes));
  write(view);
  return prefix + Buffer.from(view.buffer).toString('hex');
}

const text = fc.string({ unit: 'grapheme', maxLength: 8 });
// A text length written in 8 bytes (0x7b) is outside the profile (see src/codec/cbor-profile.ts).
const textSample = text.chain((s) => head(3, Buffer.byteLength(s)).map((h) => sample(h + utf8Hex(s), s, !h.startsWith('7b'))));

const leaf: fc.Arbitrary<CborSample> = fc.oneof(
  fc.maxSafeNat().chain((n) => head(0, n).map((h) => sample(h, n))),
  fc.integer({ min: 0, max: 2 ** 53 - 2 }).chain((n) => head(1, n).map((h) => sample(h, -1 - n))),
  textSample,
  fc.constantFrom(sample('f4', false), sample('f5', true), sample('f6', null)),
  fc.double().map((d) => sample(floatHex('fb', 8, (v) => v.setFloat64(0, d)), d, true, Number.isFinite(d))),
  fc.float().map((f) => sample(floatHex('fa', 4, (v) => v.setFloat32(0, f)), Math.fround(f), true, Number.isFinite(f))),
  fc.constantFrom(sample('f93c00', 1), sample('f98000', -0), sample('f9c000', -2), sample('f97e00', NaN, true, false), sample('f9fc00', -Infinity, true, false)),
  // Outside the profile: every decoder must refuse these, wherever they sit.
  fc.constantFrom(sample('f7', undefined, false), sample('f0', null, false), sample('f820', null, false), sample('c24105', null, false)),
  fc.uint8Array({ maxLength: 6 }).map((b) => sample(headHex(2, b.length, 0) + Buffer.from(b).toString('hex'), null, false)),
  text.map((s) => sample(`7f${headHex(3, Buffer.byteLength(s), 0)}${utf8Hex(s)}ff`, s, false)),
);

function combine(items: CborSample[]) {
  return { inProfile: items.every((i) => i.inProfile), finite: items.every((i) => i.finite) };
}

export const cborSample: fc.Arbitrary<CborSample> = fc.letrec<{ item: CborSample; array: CborSample; map: CborSample; tagged: CborSample }>((tie) => ({
  item: fc.oneof({ depthSize: 'small', maxDepth: 4 }, leaf, tie('array'), tie('map'), tie('tagged')),
  array: fc.tuple(fc.array(tie('item'), { maxLength: 4 }), fc.boolean()).chain(([items, indefinite]) => {
    const body = items.map((i) => i.hex).join('');
    const hexArb = indefinite ? fc.constant(`9f${body}ff`) : head(4, items.length).map((h) => h + body);
    return hexArb.map((hex) => ({ hex, value: items.map((i) => i.value), ...combine(items) }));
  }),
  map: fc
    .tuple(fc.array(fc.tuple(fc.oneof({ weight: 9, arbitrary: textSample }, { weight: 1, arbitrary: fc.constant(sample('01', '1', false)) }), tie('item')), { maxLength: 4 }), fc.boolean())
    .chain(([entries, indefinite]) => {
      const body = entries.map(([k, v]) => k.hex + v.hex).join('');
      // Later duplicates overwrite earlier ones, in the first one's position: what JSON.parse does too.
      // The profile applies to every byte, overwritten or not; finiteness only to what survives.
      const survivors = new Map<string, CborSample>();
      for (const [k, v] of entries) survivors.set(k.value as string, v);
      const value = Object.fromEntries([...survivors].map(([k, v]) => [k, v.value]));
      const hexArb = indefinite ? fc.constant(`bf${body}ff`) : head(5, entries.length).map((h) => h + body);
      return hexArb.map((hex) => ({ hex, value, inProfile: combine(entries.flat()).inProfile, finite: combine([...survivors.values()]).finite }));
    }),
  tagged: fc.tuple(fc.constantFrom('c1', 'd81c', 'd9d9f7', 'd90102'), tie('item')).map(([tag, item]) => ({ ...item, hex: tag + item.hex, inProfile: false })),
})).item;
