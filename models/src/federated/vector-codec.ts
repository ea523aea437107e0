import { ModelError } from '../errors.js';

/** Vectors longer than this are refused before any allocation: a bound on what one message can make us hold. */
export const MAX_VECTOR_LENGTH = 10_000_000;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Base64 of the little-endian float32 bytes: what parameters and updates look like inside JSON messages. */
export function encodeVector(v: Float32Array): string {
  const bytes = Buffer.alloc(v.length * 4);
  for (let i = 0; i < v.length; i++) bytes.writeFloatLE(v[i]!, i * 4);
  return bytes.toString('base64');
}

/** Decodes encodeVector's output; refuses bad base64, a byte count that is not whole floats, a wrong length, NaN or infinities. */
export function decodeVector(s: string, expectedLength?: number): Float32Array {
  if (typeof s !== 'string') throw new ModelError('MODEL_ERR_FL_VECTOR', `expected a base64 string, got ${typeof s}`);
  if (s.length % 4 !== 0 || !BASE64.test(s)) throw new ModelError('MODEL_ERR_FL_VECTOR', 'not canonical base64');
  const byteLength = (s.length / 4) * 3 - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0);
  if (byteLength % 4 !== 0) throw new ModelError('MODEL_ERR_FL_VECTOR', `${byteLength} bytes is not a whole number of float32 values`);
  const length = byteLength / 4;
  if (length > MAX_VECTOR_LENGTH) throw new ModelError('MODEL_ERR_FL_VECTOR', `${length} values, more than ${MAX_VECTOR_LENGTH}`);
  if (expectedLength !== undefined && length !== expectedLength) throw new ModelError('MODEL_ERR_FL_VECTOR', `${length} values, expected ${expectedLength}`);
  const bytes = Buffer.from(s, 'base64');
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const x = bytes.readFloatLE(i * 4);
    if (!Number.isFinite(x)) throw new ModelError('MODEL_ERR_FL_VECTOR', `value ${i} is ${x}`);
    out[i] = x;
  }
  return out;
}
