import { createUsePoll } from '@outpost/web-kit/use-poll';
import { get } from './api.js';

/** GET a path now and every `everyMs` (0: once); `reload` fetches again at once. A lost session reloads the page. */
export const usePoll = createUsePoll({ get });
