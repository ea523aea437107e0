// A dependency-free readiness probe for a Kafka broker: ApiVersions to learn which Metadata versions the
// broker speaks, then a Metadata request for no topics; the broker is ready when it lists itself.
import { createConnection } from 'node:net';

const API_METADATA = 3;
const API_VERSIONS = 18;

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function request(apiKey, apiVersion, correlationId, body) {
  const clientId = Buffer.from('outpost-probe');
  // Request header v1: api_key, api_version, correlation_id, client_id (int16-length string).
  const header = Buffer.alloc(10);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(clientId.length, 8);
  const size = Buffer.alloc(4);
  size.writeInt32BE(header.length + clientId.length + body.length, 0);
  return Buffer.concat([size, header, clientId, body]);
}

// Sends requests one after another on one connection; resolves with each response body (header stripped).
function exchange(host, port, timeoutMs, frames) {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    const replies = [];
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (err, value) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(value);
    };
    socket.on('error', (err) => finish(err));
    socket.on('connect', () => socket.write(frames[0]));
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length > 16 * 1024 * 1024) return finish(new Error('oversized response'));
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const size = buffered.readInt32BE(0);
        replies.push(buffered.subarray(8, 4 + size));
        buffered = buffered.subarray(4 + size);
        if (replies.length === frames.length) return finish(undefined, replies);
        socket.write(frames[replies.length]);
      }
    });
  });
}

async function apiVersions(host, port, timeoutMs) {
  const [body] = await exchange(host, port, timeoutMs, [request(API_VERSIONS, 0, 1, Buffer.alloc(0))]);
  const errorCode = body.readInt16BE(0);
  if (errorCode !== 0) throw new Error(`ApiVersions error ${errorCode}`);
  const count = body.readInt32BE(2);
  const versions = new Map();
  for (let i = 0; i < count; i++) {
    const at = 6 + i * 6;
    versions.set(body.readInt16BE(at), { min: body.readInt16BE(at + 2), max: body.readInt16BE(at + 4) });
  }
  return versions;
}

/** Returns the brokers a Metadata request lists, as `{ nodeId, host, port }`; throws when there is no answer. */
export async function kafkaMetadata(host, port, timeoutMs = 2000) {
  const versions = await apiVersions(host, port, timeoutMs);
  const range = versions.get(API_METADATA);
  // v4..v8 share one non-flexible layout that this probe encodes by hand.
  const version = range ? Math.max(range.min, 4) : -1;
  if (!range || version > Math.min(range.max, 8)) throw new Error('broker speaks no Metadata version between 4 and 8');
  const body = Buffer.alloc(version >= 8 ? 7 : 5);
  body.writeInt32BE(0, 0); // an empty topic list: brokers and controller only
  body.writeInt8(0, 4); // allow_auto_topic_creation = false
  if (version >= 8) {
    body.writeInt8(0, 5);
    body.writeInt8(0, 6);
  }
  const [reply] = await exchange(host, port, timeoutMs, [request(API_METADATA, version, 2, body)]);
  let at = 4; // throttle_time_ms
  const count = reply.readInt32BE(at);
  at += 4;
  const brokers = [];
  for (let i = 0; i < count; i++) {
    const nodeId = reply.readInt32BE(at);
    const hostLength = reply.readInt16BE(at + 4);
    const brokerHost = reply.toString('utf8', at + 6, at + 6 + hostLength);
    at += 6 + hostLength;
    const brokerPort = reply.readInt32BE(at);
    at += 4;
    const rackLength = reply.readInt16BE(at);
    at += 2 + Math.max(rackLength, 0);
    brokers.push({ nodeId, host: brokerHost, port: brokerPort });
  }
  return brokers;
}
