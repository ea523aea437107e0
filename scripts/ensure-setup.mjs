#!/usr/bin/env node
// First-run set-up, safe to repeat: installs npm dependencies when they are missing or stale and,
// with --test, the system packages the test suite talks to for real. Quick when everything is there.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wantTest = process.argv.includes('--test');

function step(message) {
  process.stdout.write(`[setup] ${message}\n`);
}

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.status !== 0) {
    process.stderr.write(`[setup] failed: ${cmd} ${args.join(' ')} (exit ${result.status})\n`);
    process.exit(result.status ?? 1);
  }
}

function depsAreFresh() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(marker)) return false;
  return statSync(marker).mtimeMs >= statSync(join(root, 'package-lock.json')).mtimeMs;
}

function hasCandidate(pkg) {
  const out = spawnSync('apt-cache', ['policy', pkg], { encoding: 'utf8' });
  return /Candidate: (?!\(none\))/.test(out.stdout ?? '');
}

function aptInstall(packages) {
  if (process.getuid?.() !== 0) {
    process.stderr.write(`[setup] root is needed to install ${packages.join(', ')}; run: sudo apt-get install -y ${packages.join(' ')}\n`);
    process.exit(1);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!packages.every(hasCandidate)) {
    step('refreshing Debian package lists…');
    run('apt-get', ['update', '-q'], { env });
  }
  step(`installing Debian packages: ${packages.join(', ')}…`);
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], { env });
}

if (depsAreFresh()) {
  step('npm dependencies present');
} else {
  step('installing npm dependencies (native modules build from source; this can take a few minutes)…');
  // Native modules build from source against the headers that ship with this Node (no header download).
  const nodedir = process.env.npm_config_nodedir ?? join(process.execPath, '..', '..');
  run('npm', ['ci', '--foreground-scripts', '--no-audit', '--no-fund'], { env: { ...process.env, npm_config_nodedir: nodedir } });
}

if (wantTest) {
  const needed = [];
  if (!existsSync('/usr/sbin/mosquitto')) needed.push('mosquitto');
  if (!existsSync('/usr/bin/mosquitto_pub')) needed.push('mosquitto-clients');
  // libfaketime: the clock-skew tests boot a gateway with its wall clock in 1970 or 2038.
  if (!existsSync('/usr/bin/faketime')) needed.push('faketime');
  // Debian's chromium: the technician UI's browser tests drive it headless through playwright-core.
  if (!existsSync('/usr/bin/chromium')) needed.push('chromium');
  if (needed.length > 0) aptInstall(needed);
  else step('mosquitto, its clients, faketime and chromium present');
  // The real servers the hub's scale-out tests talk to (both return at once when already running).
  run(process.execPath, [join(root, 'scripts', 'services', 'postgres.mjs'), 'start']);
  run(process.execPath, [join(root, 'scripts', 'services', 'kafka.mjs'), 'start']);
}

// The technician UI's bundle (gateway/ui/build): built when missing or older than its sources.
run(process.execPath, [join(root, 'gateway', 'scripts', 'build-ui.mjs'), '--if-stale']);

// The hub's ops console bundle (cloud-hub/console/build), the same way.
run(process.execPath, [join(root, 'cloud-hub', 'scripts', 'build-console.mjs'), '--if-stale']);
