#!/usr/bin/env node
// A single-node Apache Kafka (KRaft: controller and broker in one JVM, loopback only) for tests and
// benchmarks. The broker's jars come from Maven Central through Maven and are cached in .services/kafka/;
// the machine's Java runs them. Safe to repeat: when the broker already answers, this returns at once.
//
// Usage: node scripts/services/kafka.mjs [start|stop|status]
// Environment: OUTPOST_KAFKA_PORT (broker port, default 19092; the controller listens on port + 1),
//              OUTPOST_KAFKA_VERSION (org.apache.kafka:kafka_2.13 version, default below).
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kafkaMetadata, sleep } from './kafka-probe.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const version = process.env.OUTPOST_KAFKA_VERSION ?? '4.1.1';
const port = Number(process.env.OUTPOST_KAFKA_PORT ?? 19092);
const controllerPort = port + 1;
const host = '127.0.0.1';
const home = join(root, '.services', 'kafka');
const jarsDir = join(home, 'jars', version);
const jarsDone = join(jarsDir, '.complete');
const dataDir = join(home, 'data');
const configFile = join(home, 'server.properties');
const log4jFile = join(home, 'log4j2.properties');
const pidFile = join(home, 'kafka.pid');
const logFile = join(home, 'kafka.log');
const clusterIdFile = join(home, 'cluster.id');
const startTimeoutMs = 90_000;

function step(message) {
  process.stdout.write(`[kafka] ${message}\n`);
}

function fail(message) {
  process.stderr.write(`[kafka] ${message}\n`);
  process.exit(1);
}

function readPid() {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid) {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Debian's packages for a missing tool, when we may install them (root); otherwise the caller says what to run.
function aptInstall(pkg) {
  if (process.getuid?.() !== 0) return false;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const policy = spawnSync('apt-cache', ['policy', pkg], { encoding: 'utf8' });
  if (!/Candidate: (?!\(none\))/.test(policy.stdout ?? '')) spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
  step(`installing Debian's ${pkg}…`);
  return spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', pkg], { stdio: 'inherit', env }).status === 0;
}

function requireJava() {
  let out = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if ((out.error || out.status !== 0) && aptInstall('openjdk-17-jre-headless')) out = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (out.error || out.status !== 0) fail('java not found: Kafka needs a Java 17+ runtime on PATH (Debian: openjdk-17-jre-headless)');
  const match = /version "(\d+)/.exec(out.stderr ?? '');
  if (match && Number(match[1]) < 17) fail(`Kafka ${version} needs Java 17 or newer; found ${match[1]}`);
}

// Resolves kafka_2.13 and its runtime dependencies into jars/<version>/ with a generated pom.
function resolveJars() {
  const pom = pomXml();
  const pomHash = createHash('sha256').update(pom).digest('hex').slice(0, 16);
  if (existsSync(jarsDone) && readFileSync(jarsDone, 'utf8').includes(pomHash)) return;
  let mvn = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if ((mvn.error || mvn.status !== 0) && aptInstall('maven')) mvn = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (mvn.error || mvn.status !== 0) fail('mvn not found: resolving the Kafka jars needs Apache Maven (Debian: maven)');
  step(`resolving org.apache.kafka:kafka_2.13:${version} and its runtime dependencies with Maven (first run only)…`);
  const pomDir = join(home, 'pom');
  mkdirSync(pomDir, { recursive: true });
  rmSync(jarsDir, { recursive: true, force: true });
  writeFileSync(join(pomDir, 'pom.xml'), pom);
  const started = Date.now();
  const out = spawnSync(
    'mvn',
    ['-q', '-B', '-Dstyle.color=never', '-f', join(pomDir, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${jarsDir}`, '-DincludeScope=runtime'],
    { encoding: 'utf8' },
  );
  if (out.status !== 0) fail(`Maven could not resolve kafka_2.13:${version} (exit ${out.status}):\n${out.stdout}${out.stderr}`);
  const count = readdirSync(jarsDir).filter((f) => f.endsWith('.jar')).length;
  writeFileSync(jarsDone, `${pomHash} ${count}\n`);
  step(`${count} jars cached in .services/kafka/jars/${version} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

function pomXml() {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>outpost.services</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${version}</version></dependency>
    <!-- The broker logs through SLF4J; without a binding it would log nothing at all. slf4j-api 2 is
         named directly so that the log4j2 binding below is found (the broker's own pom brings 1.7). -->
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>2.0.17</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j2-impl</artifactId><version>2.24.3</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>2.24.3</version></dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>3.8.1</version></plugin>
    </plugins>
  </build>
</project>
`;
}

function writeConfig() {
  mkdirSync(dataDir, { recursive: true });
  // Single node, so every internal topic has one replica; few offset partitions keep the first consumer
  // group quick; no initial rebalance delay so tests do not wait three seconds per group.
  const props = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@${host}:${controllerPort}`,
    listeners: `PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${host}:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': join(dataDir, 'logs'),
    'metadata.log.dir': join(dataDir, 'metadata'),
    'num.partitions': '1',
    'auto.create.topics.enable': 'false',
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '4',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'transaction.state.log.num.partitions': '4',
    'share.coordinator.state.topic.replication.factor': '1',
    'share.coordinator.state.topic.min.isr': '1',
    'group.initial.rebalance.delay.ms': '0',
    'log.retention.hours': '24',
    'log.segment.bytes': String(64 * 1024 * 1024),
    'num.network.threads': '2',
    'num.io.threads': '4',
  };
  writeFileSync(configFile, `${Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n')}\n`);
  writeFileSync(
    log4jFile,
    [
      'appender.out.type = Console',
      'appender.out.name = out',
      'appender.out.layout.type = PatternLayout',
      'appender.out.layout.pattern = [%d] %p %m (%c)%n',
      // Warnings and errors only, except the lines that say the broker started or stopped.
      'rootLogger.level = WARN',
      'rootLogger.appenderRef.out.ref = out',
      'logger.broker.name = kafka.server.BrokerServer',
      'logger.broker.level = INFO',
      '',
    ].join('\n'),
  );
}

function javaArgs(mainClass, args) {
  return [
    '-Xms256m',
    '-Xmx768m',
    '-XX:+UseG1GC',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4jFile}`,
    '-cp',
    join(jarsDir, '*'),
    mainClass,
    ...args,
  ];
}

// Formats the KRaft storage once; the cluster id is kept so a restart reuses the same log.
function formatStorage() {
  if (existsSync(join(dataDir, 'metadata', 'meta.properties'))) return;
  const clusterId = existsSync(clusterIdFile) ? readFileSync(clusterIdFile, 'utf8').trim() : randomBytes(16).toString('base64url');
  writeFileSync(clusterIdFile, `${clusterId}\n`);
  step(`formatting KRaft storage (cluster id ${clusterId})…`);
  const out = spawnSync('java', javaArgs('kafka.tools.StorageTool', ['format', '--ignore-formatted', '-t', clusterId, '-c', configFile]), {
    encoding: 'utf8',
  });
  if (out.status !== 0) fail(`formatting the storage failed (exit ${out.status}):\n${out.stdout}${out.stderr}`);
}

async function answers(timeoutMs) {
  try {
    const brokers = await kafkaMetadata(host, port, timeoutMs);
    return brokers.length > 0;
  } catch {
    return false;
  }
}

async function start() {
  const pid = readPid();
  if (alive(pid) && (await answers(2000))) {
    step(`already running (pid ${pid}) on ${host}:${port}`);
    return;
  }
  if (!alive(pid) && (await answers(1000))) {
    fail(`something else answers on ${host}:${port}; stop it or set OUTPOST_KAFKA_PORT`);
  }
  mkdirSync(home, { recursive: true });
  requireJava();
  resolveJars();
  writeConfig();
  let child = pid;
  if (!alive(pid)) {
    formatStorage();
    step(`starting Kafka ${version} (KRaft, single node) on ${host}:${port}, log in .services/kafka/kafka.log…`);
    const fd = openSync(logFile, 'a');
    const proc = spawn('java', javaArgs('kafka.Kafka', [configFile]), { detached: true, stdio: ['ignore', fd, fd], cwd: home });
    proc.unref();
    child = proc.pid;
    writeFileSync(pidFile, `${child}\n`);
  } else {
    step(`pid ${pid} is up but not answering yet; waiting…`);
  }
  const started = Date.now();
  let announced = 0;
  while (Date.now() - started < startTimeoutMs) {
    if (!alive(child)) fail(`the broker exited during start-up; last lines of .services/kafka/kafka.log:\n${tail(logFile, 30)}`);
    if (await answers(1000)) {
      step(`ready on ${host}:${port} after ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${child})`);
      return;
    }
    const waited = Math.floor((Date.now() - started) / 5000);
    if (waited > announced) {
      announced = waited;
      step(`waiting for the broker to answer a metadata request (${waited * 5} s)…`);
    }
    await sleep(250);
  }
  fail(`the broker did not answer within ${startTimeoutMs / 1000} s; see .services/kafka/kafka.log:\n${tail(logFile, 30)}`);
}

function tail(file, lines) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function stop() {
  const pid = readPid();
  if (!alive(pid)) {
    step('not running');
    rmSync(pidFile, { force: true });
    return;
  }
  step(`stopping pid ${pid}…`);
  process.kill(pid, 'SIGTERM');
  const started = Date.now();
  while (alive(pid) && Date.now() - started < 30_000) await sleep(200);
  if (alive(pid)) {
    step('still up after 30 s; sending SIGKILL');
    process.kill(pid, 'SIGKILL');
  }
  rmSync(pidFile, { force: true });
  step('stopped');
}

async function status() {
  const pid = readPid();
  const up = await answers(2000);
  step(`${up ? 'running' : 'not answering'} on ${host}:${port}${alive(pid) ? ` (pid ${pid})` : ''}`);
  process.exitCode = up ? 0 : 1;
}

const command = process.argv[2] ?? 'start';
const commands = { start, stop, status };
if (!(command in commands)) fail(`unknown command "${command}"; expected start, stop or status`);
await commands[command]();
