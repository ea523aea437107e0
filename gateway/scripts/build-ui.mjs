#!/usr/bin/env node
// Bundles the technician UI (gateway/ui/src → gateway/ui/build/app.js, app.css) with web-kit's bundler.
// `--if-stale` builds only when a source, the UI's or web-kit's, is newer than the bundle.
import { bundleCommand } from '@outpost/web-kit/build-bundle';

await bundleCommand({ name: 'app', uiDir: new URL('../ui/', import.meta.url), tag: 'ui', script: import.meta.url });
