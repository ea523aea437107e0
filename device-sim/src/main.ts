#!/usr/bin/env node
import { createCli } from './cli/create-cli.js';
import { SimError } from './errors.js';

createCli()
  .parseAsync()
  .catch((err: unknown) => {
    if (!(err instanceof SimError)) throw err;
    process.stderr.write(`error ${err.message}\n`);
    // A bad file or option is the caller's to fix (2), anything else is a failed run (1).
    process.exitCode = err.code === 'SIM_ERR_SCENARIO' || err.code === 'SIM_ERR_BAD_OPTION' || err.code === 'SIM_ERR_CREDENTIALS_FILE' ? 2 : 1;
  });
