import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from './support/node-test.js';
import { parse } from 'yaml';
import { loadScenario } from '../src/scenario/load.js';
import { COMPOSE_FILE, composeEnvironment, extensionDir } from '../src/runtime/docker-compose.js';
import { DEFAULT_PORTS } from '../src/runtime/types.js';
import { globalOptionsOf } from './support/cli.js';

interface ComposeService {
  image: string;
  ports?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync(COMPOSE_FILE, 'utf8')) as { services: Record<string, ComposeService> };
const services = compose.services;

/**
 * The Compose that renders the file: `docker compose` (v2: hosted runners, Docker Desktop) when it
 * answers, else Debian's docker-compose (1.29, what .ci/run installs by apt). Elsewhere neither may exist.
 */
function composeCli(): { argv: string[] } | { reason: string } {
  if (spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0) return { argv: ['docker', 'compose'] };
  if (spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0) return { argv: ['docker-compose'] };
  return { reason: 'neither `docker compose` (v2) nor docker-compose (v1) answers; install one (apt-get install docker-compose)' };
}

const cli = composeCli();
const mustRun = process.env.CI === 'true';
const skipWithoutCompose = { skip: 'reason' in cli && !mustRun ? cli.reason : false };

/** `<compose> -f compose/docker-compose.yml <args>` with extra environment; fails the test under CI without a Compose. */
function renderCompose(args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  if ('reason' in cli) assert.fail(`CI must have a Compose: ${cli.reason}`);
  const [command, ...prefix] = cli.argv;
  return spawnSync(command!, [...prefix, '-f', COMPOSE_FILE, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
}

test('compose file is valid under compose config -q', skipWithoutCompose, () => {
  const result = renderCompose(['config', '-q']);
  assert.equal(result.status, 0, `compose config -q failed:\n${result.stderr}`);
});

test('with the environment edge-ml up passes, the rendered file carries the scenario and the state dir', skipWithoutCompose, () => {
  const scenario = loadScenario('connected-cars');
  const env = composeEnvironment({ host: '127.0.0.1', kafka: 19092, ksql: 18088, mqtt: 11883 }, '/tmp/edge-ml-state', scenario.mqtt);
  const result = renderCompose(['config'], env);
  assert.equal(result.status, 0, result.stderr);
  const rendered = parse(result.stdout) as { services: Record<string, ComposeService & { volumes?: unknown[] }> };
  assert.equal(rendered.services['mqtt-proxy']!.environment?.KAFKA_MQTT_TOPIC_REGEX_LIST, scenario.mqtt.topicRegexList);
  assert.equal(String(rendered.services['mqtt-proxy']!.environment?.KAFKA_MQTT_MQTT_MESSAGE_MAX_BYTES), String(scenario.mqtt.maxMessageBytes));
  assert.match(JSON.stringify(rendered.services['ksqldb-server']!.volumes), new RegExp(extensionDir('/tmp/edge-ml-state')));
  assert.match(String(rendered.services.broker!.environment?.KAFKA_ADVERTISED_LISTENERS), /PLAINTEXT_HOST:\/\/127\.0\.0\.1:19092/);
});

test('a relative --state-dir gives ksqlDB an absolute bind mount: the extension dir resolved against the working directory', skipWithoutCompose, () => {
  const { stateDir } = globalOptionsOf(['--state-dir', 'relative/state']);
  const result = renderCompose(['config'], composeEnvironment(DEFAULT_PORTS, stateDir));
  // Compose reads a source not starting with `.`, `/` or `~` as a named volume, and resolves `./x` against compose/.
  assert.equal(result.status, 0, result.stderr);
  const rendered = parse(result.stdout) as { services: Record<string, { volumes?: unknown[] }> };
  assert.deepEqual(bindSources(rendered.services['ksqldb-server']!.volumes), [extensionDir(resolve('relative/state'))]);
});

/** The host side of each bind mount, in Compose v1's short syntax (`src:dst:mode`) or v2's long one. */
function bindSources(volumes: unknown[] | undefined): string[] {
  return (volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':')[0]! : String((v as { source?: string }).source)));
}

test('the three Confluent Platform images are pinned to one 7.9.x version', () => {
  const images = Object.values(services).map((s) => s.image);
  const names = images.map((i) => i.split(':')[0]).sort();
  assert.deepEqual(names, ['confluentinc/cp-kafka', 'confluentinc/cp-kafka-mqtt', 'confluentinc/cp-ksqldb-server']);
  const versions = new Set(images.map((i) => i.split(':')[1]));
  assert.equal(versions.size, 1, `one version for all images, got ${[...versions].join(', ')}`);
  assert.match([...versions][0]!, /^7\.9\.\d+$/);
});

test('ksqlDB loads UDFs from an extension dir bind-mounted from the state dir', () => {
  const ksql = services['ksqldb-server']!;
  const extDir = ksql.environment?.KSQL_KSQL_EXTENSION_DIR;
  assert.equal(typeof extDir, 'string');
  assert.ok(
    ksql.volumes?.some((v) => v.startsWith('${EDGE_ML_EXT_DIR') && v.split(':').includes(String(extDir))),
    `a volume maps \${EDGE_ML_EXT_DIR} to ${extDir}: ${ksql.volumes?.join(', ')}`,
  );
  assert.match(ksql.healthcheck?.test.join(' ') ?? '', /\/info/);
});

test('every host port binds to 127.0.0.1 by default and every service has a healthcheck', () => {
  const ports = Object.values(services).flatMap((s) => s.ports ?? []);
  assert.equal(ports.length, 3);
  for (const port of ports) assert.match(port, /^\$\{EDGE_ML_HOST:-127\.0\.0\.1\}:\$\{EDGE_ML_\w+_PORT:-\d+\}:\d+$/);
  for (const [name, service] of Object.entries(services)) assert.ok(service.healthcheck?.test, `${name} has a healthcheck`);
});

test('the MQTT Proxy takes its topic mapping and message size from the environment', () => {
  const env = services['mqtt-proxy']!.environment ?? {};
  assert.match(String(env.KAFKA_MQTT_TOPIC_REGEX_LIST), /^\$\{EDGE_ML_MQTT_TOPIC_REGEX_LIST:-/);
  assert.match(String(env.KAFKA_MQTT_MQTT_MESSAGE_MAX_BYTES), /^\$\{EDGE_ML_MQTT_MAX_MESSAGE_BYTES:-\d+\}$/);
  assert.ok(env.KAFKA_MQTT_BOOTSTRAP_SERVERS, 'the image requires KAFKA_MQTT_BOOTSTRAP_SERVERS');
});
