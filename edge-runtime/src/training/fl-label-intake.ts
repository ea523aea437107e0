import { localFlLabelSchema, localTopics } from '@outpost/protocols';
import type { TopicHandler } from '../mqtt/runtime-mqtt.js';
import type { RuntimeEvents } from '../observability/runtime-events.js';
import type { WindowReservoir } from './window-reservoir.js';

/**
 * `local/v1/fl/labels`: a technician's label of an alert. 'anomaly' removes the device's windows that end
 * within `spanMs` of the alert from the training reservoir; 'normal' admits the ones held back as flagged.
 */
export function createFlLabelIntake(reservoir: WindowReservoir, spanMs: number, events: RuntimeEvents): TopicHandler {
  const topic = localTopics.flLabels();
  return async (payload) => {
    let label;
    try {
      label = localFlLabelSchema.parse(JSON.parse(payload.toString('utf8')));
    } catch (err) {
      return events.batchDropped(topic, 'E_SCHEMA', (err as Error).message.slice(0, 500));
    }
    reservoir.label(label.deviceId, label.ts, label.label, spanMs);
  };
}
