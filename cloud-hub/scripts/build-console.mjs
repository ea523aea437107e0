#!/usr/bin/env node
// The ops console's bundle (cloud-hub/console/build/console.js, console.css from console/src), made by
// web-kit's bundler; with `--if-stale` only when its sources or web-kit's changed since.
import { bundleCommand } from '@outpost/web-kit/build-bundle';

await bundleCommand({ name: 'console', uiDir: new URL('../console/', import.meta.url), tag: 'console', script: import.meta.url });
