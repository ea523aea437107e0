import type { Aedes } from 'aedes';
import { decodeMessage, localTopics, type LocalRuntimeStatus } from '@outpost/protocols';

/**
 * The latest runtime/model status edge-runtime published on its local topic, for the overview page; null
 * until edge-runtime reports one. (The power mode has its owner in power/gateway-power.ts.)
 */
export function watchRuntimeStatus(broker: Aedes) {
  const latest: { runtime: LocalRuntimeStatus | null } = { runtime: null };
  broker.subscribe(
    localTopics.runtimeStatus(),
    (packet, cb) => {
      try {
        latest.runtime = decodeMessage('localRuntimeStatus', packet.payload as Buffer).message;
      } catch {
        // A bad status message is edge-runtime's problem to log; the page keeps the last good one.
      }
      cb();
    },
    () => {},
  );
  return latest;
}
