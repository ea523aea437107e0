import { fileURLToPath } from 'node:url';

/** Where the sync service's `.proto` lives (the same relative place from src/ and dist/). */
export const SYNC_PROTO_PATH = fileURLToPath(new URL('../../proto/outpost/sync/v1/sync.proto', import.meta.url));
/** Include root for proto-loader. */
export const PROTO_ROOT = fileURLToPath(new URL('../../proto/', import.meta.url));
export const SYNC_PROTOCOL_VERSION = 1;
