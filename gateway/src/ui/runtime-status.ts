import type { Aedes } from 'aedes';
import { decodeMessage, localTopics, type LocalPowerMode, type LocalRuntimeStatus } from '@outpost/protocols';

/**
 * The latest power mode and runtime/model status that edge-runtime published on the local topics, for
 * the overview page. Both stay null until edge-runtime reports them.
 */
export function watchRuntimeStatus(broker: Aedes) {
  const latest: { power: LocalPowerMode | null; runtime: LocalRuntimeStatus | null } = { power: null, runtime: null };
  broker.subscribe(
    localTopics.powerMode(),
    (packet, cb) => {
      try {
        latest.power = decodeMessage('localPowerMode', packet.payload as Buffer).message;
      } catch {
        // A bad status message is edge-runtime's problem to log; the page keeps the last good one.
      }
      cb();
    },
    () => {},
  );
  broker.subscribe(
    localTopics.runtimeStatus(),
    (packet, cb) => {
      try {
        latest.runtime = decodeMessage('localRuntimeStatus', packet.payload as Buffer).message;
      } catch {
        // As above.
      }
      cb();
    },
    () => {},
  );
  return latest;
}
