import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { DATA_CLASSES, type DataClass, PROTO_ROOT, SYNC_PROTO_PATH } from '@outpost/protocols';

// A test client of the sync service written straight against @grpc/grpc-js and the .proto, with the
// loader options of docs/sync-protocol.md. It is not the gateway: it lets tests send exactly what they mean.

const definition = protoLoader.loadSync(SYNC_PROTO_PATH, { keepCase: false, longs: Number, enums: Number, defaults: true, oneofs: true, includeDirs: [PROTO_ROOT] });
const SyncClient = (grpc.loadPackageDefinition(definition) as unknown as { outpost: { sync: { v1: { Sync: grpc.ServiceClientConstructor } } } }).outpost.sync.v1.Sync;

export interface HubMessage {
  body: 'welcome' | 'ack' | 'desiredState' | 'command' | 'error';
  welcome?: { hubId: string; ackedSeq: number; hubWallMs: number; clockTrusted: boolean };
  ack?: { ackedSeq: number };
  desiredState?: { deviceId: string; version: number; config: Buffer };
  command?: { commandId: string; deviceId: string; name: string; args: Buffer; expiresAtMs: number };
  error?: { code: string; message: string; retryable: boolean };
}

export interface TestRecord {
  seq: number;
  dataClass: number;
  hlc: { wallMs: number; logical: number };
  payload: Buffer;
}

export function record(seq: number, dataClass: DataClass | number, payload: unknown, wallMs = 1_700_000_000_000 + seq): TestRecord {
  return {
    seq,
    dataClass: typeof dataClass === 'number' ? dataClass : DATA_CLASSES[dataClass].proto,
    hlc: { wallMs, logical: 0 },
    payload: Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload)),
  };
}

export function newClient(port: number, options: grpc.ChannelOptions = {}, credentials = grpc.credentials.createInsecure()): grpc.Client {
  return new SyncClient(`127.0.0.1:${port}`, credentials, options);
}

/** Call Enroll; resolves with the response or rejects with the gRPC status error. */
export function enroll(client: grpc.Client, token: string, name = 'test-gw'): Promise<{ gatewayId: string; credential: string; hubId: string }> {
  return new Promise((resolve, reject) => {
    (client as unknown as Record<string, (req: unknown, cb: (err: grpc.ServiceError | null, res: never) => void) => void>).Enroll!({ token, name, softwareVersion: 'test/1' }, (err, res) =>
      err ? reject(err) : resolve(res),
    );
  });
}

/** One sync stream: collects what the hub sends and how the call ended. */
export class TestStream {
  readonly received: HubMessage[] = [];
  readonly ended: Promise<grpc.StatusObject>;
  #waiters: (() => void)[] = [];
  readonly call: grpc.ClientDuplexStream<unknown, HubMessage>;

  constructor(client: grpc.Client, credential: string | null) {
    const metadata = new grpc.Metadata();
    if (credential !== null) metadata.set('authorization', `Bearer ${credential}`);
    this.call = (client as unknown as Record<string, (m: grpc.Metadata) => grpc.ClientDuplexStream<unknown, HubMessage>>).Stream!(metadata);
    this.call.on('data', (m: HubMessage) => {
      this.received.push(m);
      this.#wake();
    });
    this.ended = new Promise((resolve) => {
      this.call.on('status', (s: grpc.StatusObject) => {
        resolve(s);
        this.#wake();
      });
    });
    this.call.on('error', () => {}); // the status promise reports it
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** Wait until a received message matches (scanning from `from`); rejects when the stream ends first. */
  async next(predicate: (m: HubMessage) => boolean, timeoutMs = 10_000, from = 0): Promise<HubMessage> {
    const deadline = Date.now() + timeoutMs;
    let ended = false;
    void this.ended.then(() => (ended = true));
    for (;;) {
      const found = this.received.slice(from).find(predicate);
      if (found) return found;
      if (ended) throw new Error(`stream ended without the expected message; got ${JSON.stringify(this.received.map((m) => m.body))}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting; got ${JSON.stringify(this.received.map((m) => m.body))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 200);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  hello(overrides: Record<string, unknown> = {}): void {
    this.call.write({ hello: { protocolVersion: 1, softwareVersion: 'test/1', wallMs: Date.now(), hlc: { wallMs: Date.now(), logical: 0 }, backlogRecords: 0, backlogOldestMs: 0, ...overrides } });
  }

  async welcome(overrides: Record<string, unknown> = {}): Promise<NonNullable<HubMessage['welcome']>> {
    this.hello(overrides);
    return (await this.next((m) => m.body === 'welcome')).welcome!;
  }

  batch(records: TestRecord[]): void {
    this.call.write({ batch: { records } });
  }

  /** Send a batch and wait for the ack that covers its last seq (or any ack when it has no new ones). */
  async send(records: TestRecord[], timeoutMs = 10_000): Promise<number> {
    const from = this.received.length;
    this.batch(records);
    const ack = await this.next((m) => m.body === 'ack' || (m.body === 'error' && m.error!.retryable), timeoutMs, from);
    if (ack.body === 'error') throw new Error(`${ack.error!.code}: ${ack.error!.message}`);
    return ack.ack!.ackedSeq;
  }

  commandResult(commandId: string, status: string, body: unknown = null): void {
    this.call.write({ commandResult: { commandId, status, body: body === null ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body)) } });
  }

  async end(): Promise<grpc.StatusObject> {
    this.call.end();
    return this.ended;
  }

  cancel(): void {
    this.call.cancel();
  }
}
