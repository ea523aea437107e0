import { decodeMessage, localTopics, ProtocolError } from '@outpost/protocols';
import type { ModelManager } from '../models/model-manager.js';
import type { RuntimeEvents } from '../observability/runtime-events.js';
import type { TopicHandler } from './runtime-mqtt.js';

const MAX_OFFER_BYTES = 16 * 1024;

/**
 * `local/v1/models/offer`: decode a `localModelOffer` and queue it with the model manager. The offer is
 * acknowledged at once; whether the model was swapped in or refused (with its RT_ERR_MODEL_* code) shows
 * in the next runtime status and in the logs.
 */
export function createOfferIntake(models: ModelManager, events: RuntimeEvents): TopicHandler {
  const topic = localTopics.modelOffer();
  return async (payload) => {
    try {
      models.offer(decodeMessage('localModelOffer', payload, { maxBytes: MAX_OFFER_BYTES }).message);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      events.batchDropped(topic, err.code, err.message);
    }
  };
}
