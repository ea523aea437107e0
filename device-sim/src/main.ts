#!/usr/bin/env node
import { createCli } from './cli/create-cli.js';
import { SimError } from './errors.js';

createCli()
  .parseAsync()
  .catch((err: unknown) => {
    if (!(err instanceof SimError)) throw err;
    process.stderr.write(`error ${err.message}\n`);
    process.exitCode = 1;
  });
