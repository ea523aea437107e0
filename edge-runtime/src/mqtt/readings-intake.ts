import { decodeMessage, localTopics, MAX_READINGS_PER_BATCH, ProtocolError } from '@outpost/protocols';
import type { RuntimeEvents } from '../observability/runtime-events.js';
import type { ReadingPipeline } from '../pipeline/reading-pipeline.js';
import type { TopicHandler } from './runtime-mqtt.js';

/** Largest readings batch accepted: the protocol's batch bound at a generous size per reading. */
export const MAX_READINGS_BATCH_BYTES = MAX_READINGS_PER_BATCH * 8 * 1024;

/**
 * `local/v1/readings`: decode and validate a `localReadingsBatch`, run it through the pipeline, and
 * acknowledge it once the scoring and alert queues have room again (intake pauses while either is full:
 * the gateway gets no PUBACK and holds further batches). A payload that fails the protocol is counted,
 * logged sampled and acknowledged: resending the same bytes cannot help. While the runtime stops, a
 * batch is not taken and not acknowledged, so the gateway delivers it again to the next run.
 */
export function createReadingsIntake(pipeline: ReadingPipeline, events: RuntimeEvents, isStopping: () => boolean): TopicHandler {
  const topic = localTopics.readings();
  return async (payload) => {
    if (isStopping()) return new Promise<void>(() => {}); // never acknowledged: the connection closes under it
    let readings;
    try {
      readings = decodeMessage('localReadingsBatch', payload, { maxBytes: MAX_READINGS_BATCH_BYTES }).message.readings;
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      events.batchDropped(topic, err.code, err.message);
      return;
    }
    pipeline.process(readings);
    if (!pipeline.hasRoom()) {
      events.intakePaused('scoring or alert queue full');
      await pipeline.waitForRoom();
    }
  };
}
