import { type HlcTimestamp, HybridLogicalClock } from '@outpost/protocols';
import type { Db } from '../../store/database.js';

/**
 * The gateway's hybrid logical clock, kept in the store. `save()` runs inside the transaction that used
 * the clock, so the stored value always covers every stored timestamp: a restart with the wall clock
 * in 1970 continues after it instead of going back.
 */
export function createPersistedHlc(db: Db, wallClock: () => number = Date.now) {
  const read = db.prepare<[], { key: string; value: string }>("SELECT key, value FROM meta WHERE key IN ('hlc_wall', 'hlc_logical')");
  const write = db.prepare('UPDATE meta SET value = ? WHERE key = ?');
  const stored = Object.fromEntries(read.all().map((r) => [r.key, Number(r.value)]));
  const clock = new HybridLogicalClock(wallClock, { wallMs: stored.hlc_wall ?? 0, logical: stored.hlc_logical ?? 0 });
  let dirty = false;

  return {
    now(): HlcTimestamp {
      dirty = true;
      return clock.now();
    },
    receive(remote: HlcTimestamp): HlcTimestamp {
      dirty = true;
      return clock.receive(remote);
    },
    get last(): HlcTimestamp {
      return clock.last;
    },
    /** Persist the last timestamp; call inside the transaction that used the clock. */
    save(): void {
      if (!dirty) return;
      const last = clock.last;
      write.run(String(last.wallMs), 'hlc_wall');
      write.run(String(last.logical), 'hlc_logical');
      dirty = false;
    },
  };
}

export type PersistedHlc = ReturnType<typeof createPersistedHlc>;
