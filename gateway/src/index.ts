export { gatewayConfigSchema, type GatewayConfig, type GatewayConfigInput } from './config/config-schema.js';
export { GATEWAY_CONFIG_FIELDS, loadGatewayConfig } from './config/load-config.js';
export { createGateway, type Gateway, type GatewayAddresses } from './create-gateway.js';
export { GATEWAY_ERRORS, GatewayError, type GatewayErrorCode } from './errors.js';
