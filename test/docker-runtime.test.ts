import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { loadScenario } from '../src/scenario/load.js';
import { componentStatuses, composeEnvironment, extensionDir, hostEndpoints, parseComposePs } from '../src/runtime/docker-compose.js';
import { placeJar, portsOf } from '../src/runtime/docker.js';
import { DEFAULT_PORTS } from '../src/runtime/types.js';
import { UDF_JAR_NAME } from '../src/udf/jars.js';

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/edge-ml');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'edge-ml-docker-'));
}

/** Runs the built CLI; resolves with its exit code, output and how long it took. */
function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string; ms: number }> {
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout.resume();
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolvePromise({ code, stderr, ms: Date.now() - started });
    });
  });
}

test('with no Docker engine, up --runtime docker exits 1 within 5 s naming the engine and --runtime local', async () => {
  const stateDir = tempDir();
  // A socket path where nothing listens: no engine, whatever this machine has.
  const result = await runCli(['--state-dir', stateDir, 'up', '--runtime', 'docker'], { DOCKER_HOST: `unix://${join(stateDir, 'no-engine.sock')}` });
  assert.equal(result.code, 1, result.stderr);
  assert.ok(result.ms < 5000, `took ${result.ms} ms`);
  assert.match(result.stderr, /no Docker engine answers/);
  assert.match(result.stderr, /--runtime local/);
  assert.ok(!existsSync(join(stateDir, 'platform.json')), 'nothing recorded as running');
});

test('with no docker command at all, up --runtime docker says Docker is not installed', async () => {
  const stateDir = tempDir();
  const bin = join(stateDir, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  const result = await runCli(['--state-dir', stateDir, 'up', '--runtime', 'docker'], { PATH: bin });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /Docker is not installed/);
  assert.match(result.stderr, /--runtime local/);
});

test('down with no Docker engine has nothing to stop and exits 0', async () => {
  const stateDir = tempDir();
  const result = await runCli(['--state-dir', stateDir, 'down', '--runtime', 'docker'], { DOCKER_HOST: `unix://${join(stateDir, 'no-engine.sock')}` });
  assert.equal(result.code, 0, result.stderr);
});

test('the compose environment carries ports, extension dir and the scenario MQTT settings', () => {
  const scenario = loadScenario('connected-cars');
  const env = composeEnvironment({ host: '127.0.0.1', kafka: 19092, ksql: 18088, mqtt: 11883 }, '/state', scenario.mqtt);
  assert.deepEqual(env, {
    EDGE_ML_HOST: '127.0.0.1',
    EDGE_ML_ADVERTISED_HOST: '127.0.0.1',
    EDGE_ML_KAFKA_PORT: '19092',
    EDGE_ML_KSQL_PORT: '18088',
    EDGE_ML_MQTT_PORT: '11883',
    EDGE_ML_EXT_DIR: extensionDir('/state'),
    EDGE_ML_MQTT_TOPIC_REGEX_LIST: 'temperature:.*temperature',
    EDGE_ML_MQTT_MAX_MESSAGE_BYTES: String(scenario.mqtt.maxMessageBytes),
  });
  assert.equal(extensionDir('/state'), join('/state', 'docker', 'extensions'));
  assert.equal(composeEnvironment(DEFAULT_PORTS, '/state').EDGE_ML_MQTT_TOPIC_REGEX_LIST, undefined, "without a scenario the file's defaults stand");
});

test('binding to all interfaces still advertises and records loopback endpoints', () => {
  const ports = { ...DEFAULT_PORTS, host: '0.0.0.0' };
  assert.equal(composeEnvironment(ports, '/s').EDGE_ML_ADVERTISED_HOST, '127.0.0.1');
  assert.deepEqual(hostEndpoints(ports), { bootstrapServers: '127.0.0.1:9092', mqttUrl: 'mqtt://127.0.0.1:1883', ksqlUrl: 'http://127.0.0.1:8088' });
});

test('recorded endpoints give back the ports up used', () => {
  const endpoints = hostEndpoints({ host: '127.0.0.1', kafka: 19092, mqtt: 11883, ksql: 18088 });
  assert.deepEqual(portsOf(endpoints), { host: '127.0.0.1', kafka: 19092, mqtt: 11883, ksql: 18088 });
  assert.deepEqual(portsOf(undefined), DEFAULT_PORTS);
});

const psLines = [
  { Service: 'broker', State: 'running', Health: 'healthy', Status: 'Up 2 minutes (healthy)', Publishers: [{ URL: '127.0.0.1', TargetPort: 9092, PublishedPort: 9092, Protocol: 'tcp' }] },
  { Service: 'ksqldb-server', State: 'running', Health: 'starting', Status: 'Up 20 seconds (health: starting)', Publishers: [{ URL: '127.0.0.1', TargetPort: 8088, PublishedPort: 8088 }] },
  { Service: 'mqtt-proxy', State: 'exited', Health: '', Status: 'Exited (1) 5 seconds ago', Publishers: [] },
];

test('docker compose ps --format json is read in both its array and its one-object-per-line forms', () => {
  assert.deepEqual(parseComposePs(JSON.stringify(psLines)), psLines);
  assert.deepEqual(parseComposePs(psLines.map((l) => JSON.stringify(l)).join('\n') + '\n'), psLines);
  assert.deepEqual(parseComposePs('\n'), []);
});

test('container state and health become component states; a missing container is stopped', () => {
  assert.deepEqual(componentStatuses(psLines), [
    { name: 'kafka', state: 'running', address: '127.0.0.1:9092', detail: 'Up 2 minutes (healthy)' },
    { name: 'ksqldb', state: 'starting', address: '127.0.0.1:8088', detail: 'Up 20 seconds (health: starting)' },
    { name: 'mqtt-proxy', state: 'dead', address: undefined, detail: 'Exited (1) 5 seconds ago' },
  ]);
  assert.deepEqual(
    componentStatuses([{ Service: 'broker', State: 'running', Health: 'unhealthy' }]).map((c) => c.state),
    ['unhealthy', 'stopped', 'stopped'],
  );
});

test('placing the UDF jar copies it into the extension dir and reports whether it changed', () => {
  const stateDir = tempDir();
  const jar = join(stateDir, 'built.jar');
  writeFileSync(jar, 'jar v1');
  assert.equal(placeJar(jar, stateDir), true, 'first placement');
  assert.equal(readFileSync(join(extensionDir(stateDir), UDF_JAR_NAME), 'utf8'), 'jar v1');
  assert.equal(placeJar(jar, stateDir), false, 'same content: no restart needed');
  writeFileSync(jar, 'jar v2');
  assert.equal(placeJar(jar, stateDir), true, 'new content: ksqlDB must restart to load it');
});
