import { isDeepStrictEqual } from 'node:util';
import { decodeMessage, MESSAGE_SCHEMAS, type MessageName, ProtocolError, sniffEncoding } from '../../src/index.js';
import { downlinkCases } from './downlink-cases.js';
import { flCases } from './fl-cases.js';
import { localCases } from './local-cases.js';
import { telemetryCases } from './telemetry-cases.js';
import { uplinkCases } from './uplink-cases.js';
import type { Cases, InvalidVector, ValidVector, VectorFile } from './vector-cases.js';

export type { InvalidVector, ValidVector, VectorFile } from './vector-cases.js';

const CASES = { telemetry: telemetryCases, ...uplinkCases, ...downlinkCases, ...localCases, ...flCases } satisfies Record<MessageName, Cases>;

/** Every vector file, in `MESSAGE_SCHEMAS` order. Pure and deterministic: the up-to-date test calls it too. */
export function buildVectorFiles(): VectorFile[] {
  return (Object.keys(MESSAGE_SCHEMAS) as MessageName[]).map((message) => ({ message, ...CASES[message] }));
}

export function vectorFileName(message: MessageName): string {
  return `${message}.json`;
}

export function serializeVectorFile(file: VectorFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

function problemWith(message: MessageName, vector: ValidVector | InvalidVector): string | null {
  const bytes = Buffer.from(vector.payloadHex, 'hex');
  if (sniffEncoding(bytes) !== vector.encoding) return `sniffs as ${sniffEncoding(bytes)}, labelled ${vector.encoding}`;
  let decoded: unknown;
  try {
    decoded = decodeMessage(message, bytes, 'maxBytes' in vector ? { maxBytes: vector.maxBytes } : {}).message;
  } catch (err) {
    if (!(err instanceof ProtocolError)) return `threw a non-ProtocolError: ${String(err)}`;
    if ('error' in vector) return err.code === vector.error ? null : `refused with ${err.code}, expected ${vector.error}: ${err.message}`;
    return `refused with ${err.code}: ${err.message}`;
  }
  if ('error' in vector) return `accepted, expected ${vector.error}`;
  return isDeepStrictEqual(decoded, vector.decoded) ? null : `decoded to ${JSON.stringify(decoded)}`;
}

/**
 * Check every vector against this package's codec, so a case written with the wrong expectation fails
 * generation instead of landing in the files. Returns one line per problem.
 */
export function verifyVectorFiles(files: VectorFile[]): string[] {
  const problems: string[] = [];
  for (const file of files) {
    for (const [kind, vectors] of [['valid', file.valid], ['invalid', file.invalid]] as const) {
      const seen = new Set<string>();
      for (const vector of vectors) {
        const id = `${file.message} ${kind} ${vector.encoding} "${vector.name}"`;
        if (seen.has(id)) problems.push(`${id}: duplicate name`);
        seen.add(id);
        const problem = problemWith(file.message, vector);
        if (problem) problems.push(`${id}: ${problem}`);
      }
    }
  }
  return problems;
}
