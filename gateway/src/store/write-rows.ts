/** What the ingest path hands to the store writer. Plain data: it crosses a worker-thread boundary. */
export type WriteRow =
  | { k: 'reading'; deviceId: string; ts: number; receivedAt: number; seq: number | null; metrics: string }
  | { k: 'event'; deviceId: string; ts: number; receivedAt: number; seq: number | null; type: string; severity: string; data: string | null }
  | { k: 'state'; deviceId: string; ts: number; receivedAt: number; state: string; batteryPercent: number | null; firmware: string | null }
  | { k: 'commandResult'; deviceId: string; commandId: string; receivedAt: number; status: string; body: string }
  | { k: 'deadLetter'; deviceId: string | null; topic: string; code: string; detail: string; payload: Uint8Array; payloadBytes: number; receivedAt: number };

export interface WriterOptions {
  file: string;
  synchronous: 'full' | 'normal';
  maxBytes: number;
  maxAgeMs: number;
  retentionIntervalMs: number;
  deadLetterMaxRows: number;
}

export interface StoreUsage {
  usedBytes: number;
  maxBytes: number;
  /** True when the budget is exhausted and nothing deletable is left: new raw readings are refused. */
  full: boolean;
}

export interface RetentionResult extends StoreUsage {
  deletedByAge: number;
  deletedByBudget: number;
}

export type WriterRequest = { type: 'batch'; id: number; rows: WriteRow[] } | { type: 'retention'; id: number } | { type: 'close' };

export type WriterResponse =
  | { type: 'ready' }
  | { type: 'committed'; id: number; usage: StoreUsage; commitMs: number }
  | { type: 'failed'; id: number; message: string }
  | { type: 'retention'; id: number | null; result: RetentionResult }
  | { type: 'closed' };
