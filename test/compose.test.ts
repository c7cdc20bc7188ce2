import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from './support/node-test.js';
import { parse } from 'yaml';
import { loadScenario } from '../src/scenario/load.js';
import { COMPOSE_FILE, composeEnvironment, composeFiles, ENDPOINT_OVERRIDE_FILE, extensionDir } from '../src/runtime/docker-compose.js';
import { ENDPOINT_NODE_OPTIONS, envName, loadEndpointConfig } from '../src/runtime/local/mqtt-endpoint-config.js';
import { DEFAULT_PORTS } from '../src/runtime/types.js';
import { globalOptionsOf } from './support/cli.js';

interface ComposeService {
  image: string;
  build?: { context: string; dockerfile: string };
  profiles?: string[];
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

/** `<compose> -f compose/docker-compose.yml [-f override] <args>` with extra environment; fails the test under CI without a Compose. */
function renderCompose(args: string[], env: Record<string, string> = {}, files = [COMPOSE_FILE]): SpawnSyncReturns<string> {
  if ('reason' in cli) assert.fail(`CI must have a Compose: ${cli.reason}`);
  const [command, ...prefix] = cli.argv;
  return spawnSync(command!, [...prefix, ...files.flatMap((f) => ['-f', f]), ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
}

type Rendered = { services: Record<string, ComposeService>; volumes?: unknown };

/**
 * The services Compose starts: Compose v2's `config` leaves out a service whose profiles are not
 * enabled, v1 (1.29) renders it with its `profiles`; edge-ml enables none.
 */
function activeServices(rendered: Rendered): Record<string, ComposeService> {
  return Object.fromEntries(Object.entries(rendered.services).filter(([, service]) => !service.profiles?.length));
}

test('compose file is valid under compose config -q', skipWithoutCompose, () => {
  const result = renderCompose(['config', '-q']);
  assert.equal(result.status, 0, `compose config -q failed:\n${result.stderr}`);
});

test('both MQTT variants are valid under compose config -q: proxy (docker-compose.yml alone, as before) and endpoint (with mqtt-endpoint.yml)', skipWithoutCompose, () => {
  assert.deepEqual(composeFiles('proxy'), [COMPOSE_FILE], 'the proxy variant renders exactly what the file alone renders');
  assert.deepEqual(composeFiles('endpoint'), [COMPOSE_FILE, ENDPOINT_OVERRIDE_FILE]);
  for (const mqtt of ['proxy', 'endpoint'] as const) {
    const result = renderCompose(['config', '-q'], {}, composeFiles(mqtt));
    assert.equal(result.status, 0, `--mqtt ${mqtt}: compose config -q failed:\n${result.stderr}`);
  }
});

test('the endpoint variant runs the endpoint in place of the MQTT Proxy, with the scenario mapping, and changes nothing else', skipWithoutCompose, () => {
  const scenario = loadScenario('connected-cars');
  const env = composeEnvironment({ host: '127.0.0.1', kafka: 19092, ksql: 18088, mqtt: 11883 }, '/tmp/edge-ml-state', scenario.mqtt);
  const render = (files: string[]): Rendered => {
    const result = renderCompose(['config'], env, files);
    assert.equal(result.status, 0, result.stderr);
    return parse(result.stdout) as Rendered;
  };
  const proxy = render(composeFiles('proxy'));
  const endpoint = render(composeFiles('endpoint'));
  const active = activeServices(endpoint);
  assert.deepEqual(Object.keys(active).sort(), ['broker', 'ksqldb-server', 'mqtt-endpoint']);
  assert.ok(!Object.values(active).some((s) => s.image?.startsWith('confluentinc/cp-kafka-mqtt')), 'no MQTT Proxy runs');
  assert.deepEqual(Object.keys(activeServices(proxy)).sort(), ['broker', 'ksqldb-server', 'mqtt-proxy']);
  for (const name of ['broker', 'ksqldb-server']) assert.deepEqual(endpoint.services[name], proxy.services[name], `${name} renders the same in both variants`);
  assert.deepEqual(endpoint.volumes, proxy.volumes);

  const service = active['mqtt-endpoint']!;
  assert.equal(service.environment?.MQTT_ENDPOINT_TOPIC_REGEX_LIST, scenario.mqtt.topicRegexList);
  assert.equal(String(service.environment?.MQTT_ENDPOINT_MAX_MESSAGE_BYTES), String(scenario.mqtt.maxMessageBytes));
  assert.equal(service.environment?.MQTT_ENDPOINT_BOOTSTRAP_SERVERS, 'broker:29092');
  assert.deepEqual(publishedPorts(service), publishedPorts(proxy.services['mqtt-proxy']!), 'the same host port as the proxy: 127.0.0.1:11883 -> 1883');
  assert.equal(resolve(service.build!.context), PACKAGE_ROOT, 'built from the repository root');
  assert.equal(service.build!.dockerfile, 'compose/Dockerfile');
  assert.match(JSON.stringify(service.healthcheck?.test), /MQTT_ENDPOINT_STATUS_FILE/);
});

/** `host:published->target` of each port, in Compose v1's or v2's rendering. */
function publishedPorts(service: ComposeService): string[] {
  return ((service.ports ?? []) as unknown[]).map((p) => {
    if (typeof p === 'string') return p;
    const { host_ip, published, target } = p as { host_ip?: string; published: string | number; target: number };
    return `${host_ip ?? ''}:${published}->${target}`;
  });
}

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

const PACKAGE_ROOT = resolve(dirname(COMPOSE_FILE), '..');
const override = parse(readFileSync(ENDPOINT_OVERRIDE_FILE, 'utf8')) as { services: Record<string, Partial<ComposeService>> };
const dockerfileText = readFileSync(join(PACKAGE_ROOT, 'compose', 'Dockerfile'), 'utf8');

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
const instructions = dockerfileText
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'))
  .map((line) => ({ op: line.split(/\s+/)[0]!.toUpperCase(), args: line.slice(line.split(/\s+/)[0]!.length).trim() }));
const lastFrom = instructions.map((i) => i.op).lastIndexOf('FROM');
const finalStage = instructions.slice(lastFrom);

test('the override only switches the proxy off and adds the endpoint, on the same host port pattern, with a healthcheck', () => {
  assert.deepEqual(Object.keys(override.services).sort(), ['mqtt-endpoint', 'mqtt-proxy']);
  assert.deepEqual(Object.keys(override.services['mqtt-proxy']!), ['profiles'], 'the proxy is switched off by a profile nobody enables, nothing else');
  const endpoint = override.services['mqtt-endpoint']!;
  assert.deepEqual(endpoint.ports, services['mqtt-proxy']!.ports);
  assert.ok(endpoint.healthcheck?.test);
  assert.match(String(endpoint.environment?.MQTT_ENDPOINT_TOPIC_REGEX_LIST), /^\$\{EDGE_ML_MQTT_TOPIC_REGEX_LIST:-/);
  assert.match(String(endpoint.environment?.MQTT_ENDPOINT_MAX_MESSAGE_BYTES), /^\$\{EDGE_ML_MQTT_MAX_MESSAGE_BYTES:-\d+\}$/);
});

test('the Dockerfile, lint-level (no image is built here): node:<LTS>-slim, production dependencies only, compiled in a build stage, non-root user', () => {
  const froms = instructions.filter((i) => i.op === 'FROM').map((i) => i.args.split(/\s+/)[0]!);
  assert.ok(froms.length >= 1);
  const engines = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
  for (const from of froms) {
    const major = Number(/^node:(\d+)-slim$/.exec(from)?.[1]);
    // Node 20 reached end of life in April 2026; the endpoint is what devices reach.
    assert.ok(major >= 22 && major % 2 === 0, `FROM ${from}: an even (LTS) Node major, 22 or later, -slim`);
    assert.match(engines, new RegExp(`\\^${major}\\.`), `package.json engines allow Node ${major}`);
  }
  assert.ok(froms.length >= 2 && finalStage.some((i) => i.op === 'COPY' && /^--from=\w+ \S*dist\/src /.test(i.args)), 'the final stage takes the compiled dist/src from a build stage, so a fresh clone builds');
  const runs = finalStage.filter((i) => i.op === 'RUN').map((i) => i.args);
  assert.ok(runs.some((r) => /\bnpm ci\b.*--omit=dev/.test(r)), 'the final stage installs production dependencies only');
  assert.ok(!runs.some((r) => /\bnpm (install|i)\b/.test(r) || (/\bnpm ci\b/.test(r) && !/--omit=dev/.test(r))), 'no other install in the final stage');
  const users = finalStage.filter((i) => i.op === 'USER').map((i) => i.args);
  assert.ok(users.length > 0 && !/^(root|0)(:|$)/.test(users.at(-1)!), `runs as a non-root user: USER ${users.at(-1)}`);
  assert.ok(finalStage.findIndex((i) => i.op === 'USER') < finalStage.findIndex((i) => i.op === 'CMD'));
  assert.match(finalStage.find((i) => i.op === 'EXPOSE')?.args ?? '', /\b1883\b/);
  const cmd = JSON.parse(finalStage.find((i) => i.op === 'CMD')!.args) as string[];
  assert.deepEqual(cmd.slice(0, 1), ['node']);
  const main = fileURLToPath(new URL('../src/runtime/local/mqtt-endpoint-main.js', import.meta.url));
  assert.deepEqual(cmd.slice(1, -1), ENDPOINT_NODE_OPTIONS, "Node's options are the ones the local runtime starts the endpoint with");
  assert.equal(cmd.at(-1), 'dist/src/runtime/local/mqtt-endpoint-main.js', 'no config file argument: the container is configured by its environment');
  assert.ok(existsSync(main), 'the CMD is the built endpoint entry, the same one the local runtime starts');
});

test('.dockerignore sends the build only what the Dockerfile copies from the repository', () => {
  const ignore = readFileSync(join(PACKAGE_ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  assert.equal(ignore[0], '*', 'everything is left out unless listed');
  const allowed = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
  const copied = instructions.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from')).flatMap((i) => i.args.split(/\s+/).slice(0, -1));
  for (const source of copied) assert.ok(allowed.includes(source.replace(/\/$/, '')), `${source} is in the build context`);
});

test("the container's environment configures the endpoint: Dockerfile ENV and the override's variables are fields of its JSON config, and together give a whole config", () => {
  const imageEnv = Object.fromEntries(
    finalStage
      .filter((i) => i.op === 'ENV')
      .flatMap((i) => [...i.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!])),
  );
  const composeEnv = Object.fromEntries(
    Object.entries(override.services['mqtt-endpoint']!.environment ?? {}).map(([name, value]) => [name, String(value).replace(/^\$\{\w+:-(.*)\}$/, '$1')]),
  );
  const env = { ...imageEnv, ...composeEnv };
  const config = loadEndpointConfig(undefined, env);
  for (const name of Object.keys(env).filter((n) => n.startsWith('MQTT_ENDPOINT_'))) {
    assert.ok(Object.keys(config).some((field) => envName(field) === name), `${name} is a config field`);
  }
  assert.deepEqual(
    { host: config.host, port: config.port, bootstrapServers: config.bootstrapServers, topicRegexList: config.topicRegexList, maxMessageBytes: config.maxMessageBytes },
    { host: '0.0.0.0', port: 1883, bootstrapServers: 'broker:29092', topicRegexList: 'temperature:.*temperature', maxMessageBytes: 65536 },
  );
  assert.throws(() => loadEndpointConfig(undefined, { ...env, MQTT_ENDPOINT_PORT: 'x' }), /MQTT_ENDPOINT_PORT must be a whole number, got 'x'/);
  assert.throws(() => loadEndpointConfig(undefined, {}), /MQTT_ENDPOINT_BOOTSTRAP_SERVERS is not set/);
});
