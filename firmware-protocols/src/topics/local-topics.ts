/**
 * Local topics between the gateway and edge-runtime on the embedded broker.
 * The whole `local/` prefix is closed to devices.
 */
export const LOCAL_TOPIC_ROOT = 'local/v1';

export const localTopics = {
  /** gateway → edge-runtime: batches of accepted readings. */
  readings: () => `${LOCAL_TOPIC_ROOT}/readings`,
  /** edge-runtime → gateway: alerts raised by models and rules. */
  alerts: () => `${LOCAL_TOPIC_ROOT}/alerts`,
  /** edge-runtime → gateway: runtime health and model status. */
  runtimeStatus: () => `${LOCAL_TOPIC_ROOT}/runtime/status`,
  /** gateway → edge-runtime: load a model (manifest path and expected sha256). */
  modelOffer: () => `${LOCAL_TOPIC_ROOT}/models/offer`,
  /** edge-runtime → gateway: current power mode. */
  powerMode: () => `${LOCAL_TOPIC_ROOT}/power/mode`,
  /** gateway → edge-runtime: one federated-learning task from the hub (relayed as sent). */
  flTasks: () => `${LOCAL_TOPIC_ROOT}/fl/tasks`,
  /** edge-runtime → gateway: the trainer's answer to a task, relayed to the hub. */
  flReplies: () => `${LOCAL_TOPIC_ROOT}/fl/replies`,
  /** gateway → edge-runtime: a technician's label of an alert, for the trainer's data. */
  flLabels: () => `${LOCAL_TOPIC_ROOT}/fl/labels`,
  /** Subscription filter for every local topic. */
  all: () => `${LOCAL_TOPIC_ROOT}/#`,
} as const;

/** True for any topic or filter under the local prefix (including the bare `local` level and wildcards reaching into it). */
export function isLocalTopic(topicOrFilter: string): boolean {
  return topicOrFilter === 'local' || topicOrFilter.startsWith('local/');
}
