import { localFlTaskSchema, localTopics } from '@outpost/protocols';
import type { TopicHandler } from '../mqtt/runtime-mqtt.js';
import type { RuntimeEvents } from '../observability/runtime-events.js';
import type { FlTrainer } from './fl-trainer.js';

/**
 * `local/v1/fl/tasks`: decode a task and hand it to the trainer. The PUBACK goes out at once (training takes
 * seconds; the gateway must not hold the message that long); the answer comes on `local/v1/fl/replies`.
 * An undecodable task is counted and dropped: without its round id there is nobody to answer.
 */
export function createFlTaskIntake(trainer: FlTrainer, events: RuntimeEvents): TopicHandler {
  const topic = localTopics.flTasks();
  return async (payload) => {
    let task;
    try {
      task = localFlTaskSchema.parse(JSON.parse(payload.toString('utf8')));
    } catch (err) {
      return events.batchDropped(topic, 'E_SCHEMA', (err as Error).message.slice(0, 500));
    }
    void trainer.handle(task);
  };
}
