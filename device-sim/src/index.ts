export { SIM_ERRORS, SimError, type SimErrorCode } from './errors.js';
export { type DeviceCredential, type DeviceLoadOptions, type SecondLine, loopbackAddresses } from './load/load-options.js';
export type { LatencySummaryMs, LoadReport, LoadTotals } from './load/load-stats.js';
export { checkFdLimit, checkPortRange, readFdLimits } from './load/resource-limits.js';
export { readCredentialsFile } from './load/credentials-file.js';
export { runDeviceLoad } from './load/run-device-load.js';
export { type DropResult, LoadControl } from './load/load-control.js';
export type { DeviceResult, SignalSettings } from './load/worker-protocol.js';
export { type SeqRanges, addSeq, subtractRanges } from './load/seq-ranges.js';
export { type MosquittoHandle, startMosquitto } from './bench/mosquitto.js';
export { type GatewayHandle, provisionGatewayDevices, startGateway } from './bench/gateway-process.js';
// Signals: seeded sensor profiles with labelled anomalies (they live in models, which trains on them).
export * from '@outpost/models/signals';
export { LabelsFile } from './signals/labels-file.js';
// Faults, scenarios and the loss audit.
export { type ProxyState, TcpProxy, type TcpProxyOptions } from './faults/tcp-proxy.js';
export { type Scenario, type ScenarioPhase, parseScenario, readScenarioFile, scenarioSchema } from './scenario/scenario-schema.js';
export { type PhaseResult, runScenario, type ScenarioResult, type ScenarioRunOptions } from './scenario/run-scenario.js';
export { formatLossAudit, type LossAuditReport, runLossAudit } from './audit/loss-audit.js';
// Simulated gateways: sync-protocol load on a hub, with a loss audit through the hub API.
export { type GatewayCredential, type GatewayLoadOptions, type HubApi, type RecordMix, DEFAULT_MIX, parseMix } from './gateways/gateway-load-options.js';
export { type GatewayLoadReport, type GatewayResult, runGatewayLoad } from './gateways/run-gateway-load.js';
export type { GatewayLoadTotals } from './gateways/gateway-stats.js';
export { formatGatewayAudit, type GatewayAuditEntry, type GatewayAuditReport } from './gateways/gateway-audit.js';
export { readGatewayCredentials, readTokensFile, writeGatewayCredentials } from './gateways/gateway-credentials-file.js';
