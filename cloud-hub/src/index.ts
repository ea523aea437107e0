export { hubConfigSchema, type HubConfig, type HubConfigInput } from './config/config-schema.js';
export { HUB_CONFIG_FIELDS, loadHubConfig } from './config/load-config.js';
export { createHub, openHubStore, type Hub, type HubAddresses } from './create-hub.js';
export { HUB_ERRORS, HubError, type HubErrorCode } from './errors.js';
export { SYNC_LOADER_OPTIONS } from '@outpost/protocols';
