/**
 * The protocol's data model is JSON's: null, booleans, finite numbers, strings, arrays and string-keyed
 * objects. Free-form fields such as `props` are `z.unknown()`, so without this check a value outside it
 * would pass validation and later break `JSON.stringify`, storage, or a C decoder on the far side.
 * CBOR off the wire is already held to the profile (cbor-profile.ts); what reaches this check is NaN and
 * Infinity from CBOR floats or JSON overflow, and whatever code hands to `validateMessage`/`encodeMessage`
 * (undefined, bigint, Date, Map, Buffer, cycles).
 */
export interface NonJsonData {
  /** Path segments from the message root to the offending value. */
  path: (string | number)[];
  reason: string;
}

interface Frame {
  value: unknown;
  key: string | number | null;
  parent: Frame | null;
  /** Set on the exit marker pushed after an object's children, to take it off the current path. */
  leave?: object;
}

// Frames link to their parent so a path is built only for the one value that fails: copying a path
// per node would make a deeply nested payload cost depth² to check.
function pathOf(frame: Frame): (string | number)[] {
  const path: (string | number)[] = [];
  for (let f: Frame | null = frame; f !== null && f.key !== null; f = f.parent) path.unshift(f.key);
  return path;
}

function scalarReason(value: unknown): string | null {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'object':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : `${value} is not a finite number`;
    default:
      return `${typeof value} is not JSON data`;
  }
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The first value in `root` that is not JSON data, or `null` when it all is. Iterative, so depth cannot overflow the stack. */
export function findNonJsonData(root: unknown): NonJsonData | null {
  const onPath = new Set<object>();
  const stack: Frame[] = [{ value: root, key: null, parent: null }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    if (frame.leave) {
      onPath.delete(frame.leave);
      continue;
    }
    const { value } = frame;
    const reason = scalarReason(value);
    if (reason) return { path: pathOf(frame), reason };
    if (typeof value !== 'object' || value === null) continue;
    if (onPath.has(value)) return { path: pathOf(frame), reason: 'a cyclic reference is not JSON data' };
    const isArray = Array.isArray(value);
    if (!isArray && !isPlainObject(value)) {
      return { path: pathOf(frame), reason: `a ${value.constructor?.name ?? 'non-plain object'} is not JSON data` };
    }
    onPath.add(value);
    stack.push({ value: null, key: null, parent: null, leave: value });
    if (isArray) for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], key: i, parent: frame });
    else for (const [key, child] of Object.entries(value)) stack.push({ value: child, key, parent: frame });
  }
  return null;
}

/**
 * A copy of `value` without object properties whose value is `undefined`, as `JSON.stringify` drops them;
 * without it CBOR would carry them as the simple value `undefined` (0xf7). Cycles are left for
 * `findNonJsonData` to report.
 */
export function omitUndefined(value: unknown, ancestors: Set<object> = new Set()): unknown {
  if (typeof value !== 'object' || value === null || ancestors.has(value)) return value;
  if (!Array.isArray(value) && !isPlainObject(value)) return value;
  ancestors.add(value);
  let out: unknown;
  if (Array.isArray(value)) out = value.map((item) => omitUndefined(item, ancestors));
  else {
    const copy: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      // defineProperty, because assigning `__proto__` would replace the copy's prototype instead.
      if (child !== undefined) Object.defineProperty(copy, key, { value: omitUndefined(child, ancestors), enumerable: true, writable: true, configurable: true });
    }
    out = copy;
  }
  ancestors.delete(value);
  return out;
}
