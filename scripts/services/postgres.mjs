#!/usr/bin/env node
// A PostgreSQL server for tests and benchmarks, from Debian's packages, with its own data directory in
// .services/postgres/ (or /var/tmp/outpost-postgres/ when the postgres user cannot reach the clone) and
// listening on loopback only. Creates the role and database `outpost` and prints
// the connection URL. Safe to repeat: when the server already answers, this returns at once.
//
// Usage: node scripts/services/postgres.mjs [start|stop|status|url]
// Environment: OUTPOST_PG_PORT (default 15432).
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const port = Number(process.env.OUTPOST_PG_PORT ?? 15432);
const host = '127.0.0.1';
const repoHome = join(root, '.services', 'postgres');
// As root the server runs as the postgres system user, which must reach its data directory. A clone inside
// a private folder (a home directory of mode 700, say) is out of its reach; the cluster then lives here.
const sharedHome = '/var/tmp/outpost-postgres';
let home, dataDir, socketDir, logFile, readyFile;
function useHome(dir) {
  home = dir;
  dataDir = join(dir, 'data');
  socketDir = join(dir, 'run');
  logFile = join(dir, 'postgres.log');
  readyFile = join(dir, 'outpost-db.ready');
}
useHome(repoHome);
const user = 'outpost';
const password = 'outpost';
const url = `postgres://${user}:${password}@${host}:${port}/${user}`;
const isRoot = process.getuid?.() === 0;

function step(message) {
  process.stdout.write(`[postgres] ${message}\n`);
}

function fail(message) {
  process.stderr.write(`[postgres] ${message}\n`);
  process.exit(1);
}

// The newest installed server's bin directory (Debian keeps them apart from PATH).
function binDir() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(base, versions[0], 'bin') : undefined;
}

function install() {
  if (!isRoot) fail('PostgreSQL is not installed and installing it needs root: sudo apt-get install -y postgresql');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const policy = spawnSync('apt-cache', ['policy', 'postgresql'], { encoding: 'utf8' });
  if (!/Candidate: (?!\(none\))/.test(policy.stdout ?? '')) {
    step('refreshing Debian package lists…');
    if (spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', env }).status !== 0) fail('apt-get update failed');
  }
  step("installing Debian's postgresql…");
  const out = spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'postgresql'], { stdio: 'inherit', env });
  if (out.status !== 0) fail(`apt-get install postgresql failed (exit ${out.status})`);
}

// initdb and the server refuse to run as root, so as root they run as the postgres system user.
function asServerUser(cmd, args, options = {}) {
  const [file, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  return spawnSync(file, argv, { encoding: 'utf8', ...options });
}

function serverUserIds() {
  const out = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const uid = Number(out.stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  if (out.status !== 0 || !Number.isInteger(uid)) fail('the postgres system user is missing; reinstall postgresql');
  return { uid, gid };
}

/** Once the postgres user exists: keep the cluster in the clone when that user can reach it, else in /var/tmp. */
function chooseHome() {
  if (!isRoot) return;
  mkdirSync(repoHome, { recursive: true });
  if (spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', repoHome]).status !== 0) useHome(sharedHome);
}

function prepareDirs() {
  mkdirSync(home, { recursive: true });
  for (const dir of [dataDir, socketDir]) {
    mkdirSync(dir, { recursive: true });
    if (isRoot) {
      const { uid, gid } = serverUserIds();
      chownSync(dir, uid, gid);
    }
  }
  chmodSync(dataDir, 0o700);
}

function initCluster(bin) {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  step(`creating a cluster in ${dataDir}…`);
  const out = asServerUser(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth-local=peer', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8']);
  if (out.status !== 0) fail(`initdb failed (exit ${out.status}):\n${out.stdout}${out.stderr}`);
}

function running(bin) {
  return asServerUser(join(bin, 'pg_ctl'), ['status', '-D', dataDir]).status === 0;
}

function answers(bin) {
  return spawnSync(join(bin, 'pg_isready'), ['-q', '-h', host, '-p', String(port), '-t', '2']).status === 0;
}

function psql(bin, sql) {
  const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', socketDir, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-tAc', sql];
  const out = asServerUser(join(bin, 'psql'), args);
  if (out.status !== 0) fail(`psql failed (exit ${out.status}) on: ${sql}\n${out.stderr}`);
  return out.stdout.trim();
}

function createDatabase(bin) {
  if (existsSync(readyFile)) return;
  step(`creating role and database "${user}"…`);
  if (psql(bin, `SELECT 1 FROM pg_roles WHERE rolname = '${user}'`) !== '1') {
    psql(bin, `CREATE ROLE ${user} LOGIN CREATEDB PASSWORD '${password}'`);
  }
  if (psql(bin, `SELECT 1 FROM pg_database WHERE datname = '${user}'`) !== '1') {
    psql(bin, `CREATE DATABASE ${user} OWNER ${user}`);
  }
  writeFileSync(readyFile, `${url}\n`);
}

async function start() {
  let bin = binDir();
  if (bin) chooseHome();
  if (bin && running(bin) && answers(bin) && existsSync(readyFile)) {
    step(`already running on ${host}:${port}`);
    process.stdout.write(`${url}\n`);
    return;
  }
  if (!bin) {
    install();
    bin = binDir();
    if (!bin) fail('postgresql installed but no initdb found under /usr/lib/postgresql/*/bin');
    chooseHome();
  }
  prepareDirs();
  initCluster(bin);
  if (!running(bin)) {
    const started = Date.now();
    step(`starting PostgreSQL on ${host}:${port}, log in ${logFile}…`);
    const options = `-c listen_addresses=${host} -p ${port} -k ${socketDir} -c fsync=on -c max_connections=200`;
    if (isRoot) {
      const { uid, gid } = serverUserIds();
      if (!existsSync(logFile)) writeFileSync(logFile, '');
      chownSync(logFile, uid, gid);
    }
    const out = asServerUser(join(bin, 'pg_ctl'), ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', options]);
    if (out.status !== 0) fail(`pg_ctl start failed (exit ${out.status}):\n${out.stdout}${out.stderr}\n${tail(logFile, 20)}`);
    step(`ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } else if (!answers(bin)) {
    fail(`a server runs on ${dataDir} but does not answer on ${host}:${port}; run stop, then start`);
  }
  createDatabase(bin);
  process.stdout.write(`${url}\n`);
}

function tail(file, lines) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

async function stop() {
  const bin = binDir();
  if (bin) chooseHome();
  if (!bin || !running(bin)) {
    step('not running');
    return;
  }
  const out = asServerUser(join(bin, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60']);
  if (out.status !== 0) fail(`pg_ctl stop failed:\n${out.stdout}${out.stderr}`);
  step('stopped');
}

async function status() {
  const bin = binDir();
  const up = bin !== undefined && answers(bin);
  step(`${up ? 'running' : 'not answering'} on ${host}:${port}`);
  process.exitCode = up ? 0 : 1;
}

async function printUrl() {
  process.stdout.write(`${url}\n`);
}

const command = process.argv[2] ?? 'start';
const commands = { start, stop, status, url: printUrl };
if (!(command in commands)) fail(`unknown command "${command}"; expected start, stop, status or url`);
await commands[command]();
