export { SIM_ERRORS, SimError, type SimErrorCode } from './errors.js';
export { type DeviceCredential, type DeviceLoadOptions, type SecondLine, loopbackAddresses } from './load/load-options.js';
export type { LatencySummaryMs, LoadReport, LoadTotals } from './load/load-stats.js';
export { checkFdLimit, checkPortRange, readFdLimits } from './load/resource-limits.js';
export { readCredentialsFile } from './load/credentials-file.js';
export { runDeviceLoad } from './load/run-device-load.js';
export type { DeviceResult } from './load/worker-protocol.js';
export { type MosquittoHandle, startMosquitto } from './bench/mosquitto.js';
export { type GatewayHandle, provisionGatewayDevices, startGateway } from './bench/gateway-process.js';
