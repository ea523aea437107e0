#!/usr/bin/env node
import { createCli } from './cli/create-cli.js';
import { SimError, type SimErrorCode } from './errors.js';

const CALLER_ERRORS = new Set<SimErrorCode>(['SIM_ERR_SCENARIO', 'SIM_ERR_BAD_OPTION', 'SIM_ERR_CREDENTIALS_FILE', 'SIM_ERR_TOKENS_FILE', 'SIM_ERR_GATEWAY_CREDENTIALS_FILE']);

createCli()
  .parseAsync()
  .catch((err: unknown) => {
    if (!(err instanceof SimError)) throw err;
    process.stderr.write(`error ${err.message}\n`);
    // A bad file or option is the caller's to fix (2), anything else is a failed run (1).
    process.exitCode = CALLER_ERRORS.has(err.code) ? 2 : 1;
  });
