import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from './support/node-test.js';
import { loadScenario } from '../src/scenario/load.js';
import { COMPOSE_FILE, componentStatuses, composeEnvironment, ENDPOINT_OVERRIDE_FILE, extensionDir, hostEndpoints, parseComposePs, portsOf } from '../src/runtime/docker-compose.js';
import { placeJar } from '../src/runtime/docker.js';
import { DEFAULT_PORTS } from '../src/runtime/types.js';
import { UDF_JAR_NAME } from '../src/udf/jars.js';
import { globalOptionsOf } from './support/cli.js';
import { tempDir } from './support/temp-dir.js';

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/edge-ml');


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

/**
 * A `docker` client whose engine is down, as on a laptop where Docker Desktop is not started:
 * `docker info` fails with the client's own message; the compose plugin is there.
 */
function dockerWithEngineDown(dir: string): string {
  const bin = join(dir, 'engine-down-bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'docker'),
    `#!/bin/sh
case "$1" in
  info) echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1 ;;
  compose) echo 2.29.1 ;;
  *) exit 1 ;;
esac
`,
    { mode: 0o755 },
  );
  return `${bin}:${process.env.PATH}`;
}

test('a docker client whose engine does not answer: up --runtime docker exits 1 within 5 s, naming the engine, its error and --runtime local', async () => {
  const stateDir = tempDir('edge-ml-docker-');
  const result = await runCli(['--state-dir', stateDir, 'up', '--runtime', 'docker'], { PATH: dockerWithEngineDown(stateDir) });
  assert.equal(result.code, 1, result.stderr);
  assert.ok(result.ms < 5000, `took ${result.ms} ms`);
  assert.match(result.stderr, /no Docker engine answers \(docker info: Cannot connect to the Docker daemon/);
  assert.match(result.stderr, /--runtime local/);
  assert.ok(!existsSync(join(stateDir, 'platform.json')), 'nothing recorded as running');
});

test('with no docker command at all, up --runtime docker says Docker is not installed', async () => {
  const stateDir = tempDir('edge-ml-docker-');
  const bin = join(stateDir, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  const result = await runCli(['--state-dir', stateDir, 'up', '--runtime', 'docker'], { PATH: bin });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /Docker is not installed/);
  assert.match(result.stderr, /--runtime local/);
});

test('down with no Docker engine has nothing to stop and exits 0', async () => {
  const stateDir = tempDir('edge-ml-docker-');
  const result = await runCli(['--state-dir', stateDir, 'down', '--runtime', 'docker'], { PATH: dockerWithEngineDown(stateDir) });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /no Docker engine answers: nothing to stop/);
});

test('the state dir is absolute however it is given: --state-dir, EDGE_ML_HOME, or the default', () => {
  assert.equal(globalOptionsOf(['--state-dir', 'relative/state']).stateDir, resolve('relative/state'));
  const home = process.env.EDGE_ML_HOME;
  try {
    process.env.EDGE_ML_HOME = 'relative/home';
    assert.equal(globalOptionsOf([]).stateDir, resolve('relative/home'));
    delete process.env.EDGE_ML_HOME;
    assert.equal(globalOptionsOf([]).stateDir, join(homedir(), '.edge-ml'));
  } finally {
    if (home === undefined) delete process.env.EDGE_ML_HOME;
    else process.env.EDGE_ML_HOME = home;
  }
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
  assert.deepEqual(componentStatuses(psLines, 'proxy'), [
    { name: 'kafka', state: 'running', address: '127.0.0.1:9092', detail: 'Up 2 minutes (healthy)' },
    { name: 'ksqldb', state: 'starting', address: '127.0.0.1:8088', detail: 'Up 20 seconds (health: starting)' },
    { name: 'mqtt-proxy', state: 'dead', address: undefined, detail: 'Exited (1) 5 seconds ago' },
  ]);
  assert.deepEqual(
    componentStatuses([{ Service: 'broker', State: 'running', Health: 'unhealthy' }], 'proxy').map((c) => c.state),
    ['unhealthy', 'stopped', 'stopped'],
  );
  assert.deepEqual(
    componentStatuses([...psLines, { Service: 'mqtt-endpoint', State: 'running', Health: 'healthy', Status: 'Up' }], 'endpoint').map((c) => `${c.name} ${c.state}`),
    ['kafka running', 'ksqldb starting', 'mqtt-endpoint running'],
    "the endpoint variant reports its own MQTT service, not the proxy's container",
  );
});

test('placing the UDF jar copies it into the extension dir and reports whether it changed', () => {
  const stateDir = tempDir('edge-ml-docker-');
  const jar = join(stateDir, 'built.jar');
  writeFileSync(jar, 'jar v1');
  assert.equal(placeJar(jar, stateDir), true, 'first placement');
  assert.equal(readFileSync(join(extensionDir(stateDir), UDF_JAR_NAME), 'utf8'), 'jar v1');
  assert.equal(placeJar(jar, stateDir), false, 'same content: no restart needed');
  writeFileSync(jar, 'jar v2');
  assert.equal(placeJar(jar, stateDir), true, 'new content: ksqlDB must restart to load it');
});

test('a new UDF jar replaces the old one by rename: whoever has the old file open keeps reading the old bytes, and no temporary file stays', () => {
  const stateDir = tempDir('edge-ml-docker-');
  const jar = join(stateDir, 'built.jar');
  writeFileSync(jar, 'jar v1');
  placeJar(jar, stateDir);
  const placed = join(extensionDir(stateDir), UDF_JAR_NAME);
  // ksqlDB may hold the jar open and load classes from it lazily: a hard link sees what an open file sees.
  const heldOpen = join(stateDir, 'held-open.jar');
  linkSync(placed, heldOpen);
  writeFileSync(jar, 'jar v2, longer');
  assert.equal(placeJar(jar, stateDir), true);
  assert.equal(readFileSync(placed, 'utf8'), 'jar v2, longer');
  assert.equal(readFileSync(heldOpen, 'utf8'), 'jar v1', 'the old file is untouched');
  assert.deepEqual(readdirSync(extensionDir(stateDir)), [UDF_JAR_NAME]);
});

/**
 * A stand-in `docker` for the orchestration test: it logs every call with the EDGE_ML_* values it
 * saw and answers like an engine with compose v2 whose edge-ml containers are up and healthy.
 */
function fakeDocker(dir: string, ports: { kafka: number; ksql: number; mqtt: number }, mqttService: string): string {
  const bin = join(dir, 'fake-bin');
  mkdirSync(bin);
  const ps = [
    { Service: 'broker', State: 'running', Health: 'healthy', Status: 'Up 1 minute (healthy)', Publishers: [{ URL: '127.0.0.1', PublishedPort: ports.kafka, TargetPort: 9092 }] },
    { Service: 'ksqldb-server', State: 'running', Health: 'healthy', Status: 'Up 1 minute (healthy)', Publishers: [{ URL: '127.0.0.1', PublishedPort: ports.ksql, TargetPort: 8088 }] },
    { Service: mqttService, State: 'running', Health: 'healthy', Status: 'Up 1 minute (healthy)', Publishers: [{ URL: '127.0.0.1', PublishedPort: ports.mqtt, TargetPort: 1883 }] },
  ];
  writeFileSync(join(dir, 'ps.json'), ps.map((c) => JSON.stringify(c)).join('\n') + '\n');
  writeFileSync(
    join(bin, 'docker'),
    `#!/bin/bash
echo "$* | ext=$EDGE_ML_EXT_DIR ksql=$EDGE_ML_KSQL_PORT regex=$EDGE_ML_MQTT_TOPIC_REGEX_LIST" >> "${dir}/calls.log"
case "$1" in
  info) echo 28.2.2 ;;
  compose)
    shift
    while [[ "$1" == -p || "$1" == -f ]]; do shift 2; done
    case "$1" in
      version) echo 2.29.1 ;;
      ps) cat "${dir}/ps.json" ;;
      exec) echo "Created topic." ;;
    esac ;;
  *) exit 1 ;;
esac
`,
    { mode: 0o755 },
  );
  return bin;
}

/**
 * A stateful stand-in for ksqlDB's REST API that answers with the documented shapes. `warn(text)`
 * puts a warning on every statement's answer, as ksqlDB does while its command runner is degraded;
 * `refuse(name)` makes it refuse to replace that stream, as ksqlDB refuses a query upgrade it cannot
 * apply in place.
 */
async function fakeKsqlDb(
  port: number,
): Promise<{ statements: { ksql: string; seq?: number }[]; warn: (message: string) => void; refuse: (stream: string) => void; close: () => void }> {
  const { createServer } = await import('node:http');
  const statements: { ksql: string; seq?: number }[] = [];
  let seq = 0;
  const streams = new Set<string>();
  let refused: string | undefined;
  const warnings: { message: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const reply = (value: unknown, status = 200): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.url === '/info') return reply({ KsqlServerInfo: { version: '7.9.0', ksqlServiceId: 'edge_ml_' } });
      const { ksql, commandSequenceNumber } = JSON.parse(body) as { ksql: string; commandSequenceNumber?: number };
      statements.push({ ksql, seq: commandSequenceNumber });
      if (/^DESCRIBE FUNCTION ANOMALY/.test(ksql)) {
        return reply([{ '@type': 'describe_function', name: 'ANOMALY', type: 'SCALAR', path: '/opt/ksqldb-udfs/edge-ml-anomaly-udf.jar', functions: [{ arguments: [{ name: 'sensorinput', type: 'VARCHAR' }], returnType: 'DOUBLE' }] }]);
      }
      if (/^SHOW STREAMS/.test(ksql)) return reply([{ '@type': 'streams', streams: [...streams].map((name) => ({ name, topic: name })) }]);
      if (/^SHOW QUERIES/.test(ksql)) return reply([{ '@type': 'queries', queries: [{ id: 'CSAS_ANOMALYDETECTION_1', state: 'RUNNING' }] }]);
      const name = /^CREATE OR REPLACE STREAM (\w+)/.exec(ksql)?.[1];
      if (name && name === refused) {
        return reply({ '@type': 'generic_error', error_code: 40000, message: 'Query is not upgradeable. Plan step of type StreamSource must have matching topicName. Values differ: temperature vs. CARSENSOR_SCORED' }, 400);
      }
      if (name) streams.add(name);
      const message = / AS\s+SELECT /.test(ksql) ? `Created query with ID CSAS_${name}_${seq + 1}` : 'Stream created';
      reply([{ '@type': 'currentStatus', statementText: ksql, commandId: `stream/${name}/create`, commandStatus: { status: 'SUCCESS', message }, commandSequenceNumber: ++seq, warnings }]);
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { statements, warn: (message) => warnings.push({ message }), refuse: (stream) => (refused = stream), close: () => server.close() };
}

/** A stand-in docker CLI and ksqlDB on free ports, the `up` arguments that reach them, and the docker calls made so far. */
async function standInPlatform(mqttService: string) {
  const { freePort } = await import('./support/ports.js');
  const dir = tempDir('edge-ml-docker-');
  const stateDir = join(dir, 'state');
  const ports = { kafka: await freePort(), ksql: await freePort(), mqtt: await freePort() };
  const bin = fakeDocker(dir, ports, mqttService);
  const ksqlDb = await fakeKsqlDb(ports.ksql);
  const jar = join(dir, 'anomaly.jar');
  writeFileSync(jar, 'a jar');
  const env = { PATH: `${bin}:${process.env.PATH}` };
  const upArgs = ['--state-dir', stateDir, 'up', '--runtime', 'docker', '--jar', jar, '--kafka-port', String(ports.kafka), '--ksql-port', String(ports.ksql), '--mqtt-port', String(ports.mqtt), '--timeout', '60'];
  const calls = (): string[] => readFileSync(join(dir, 'calls.log'), 'utf8').trim().split('\n');
  return { stateDir, ports, ksqlDb, env, upArgs, calls };
}

test('orchestration with a stand-in docker CLI and replayed ksqlDB responses (no real containers): up, up again, status, ksql run, down', async () => {
  const { stateDir, ports, ksqlDb, env, upArgs, calls } = await standInPlatform('mqtt-proxy');
  try {
    const first = await runCli(upArgs, env);
    assert.equal(first.code, 0, first.stderr);
    const firstCalls = calls();
    const upIndex = firstCalls.findIndex((c) => / up -d /.test(c));
    assert.ok(upIndex > 0, 'docker compose up -d ran');
    const composeCalls = firstCalls.filter((c) => c.startsWith('compose -p'));
    assert.ok(composeCalls.every((c) => c.startsWith(`compose -p edge-ml -f ${COMPOSE_FILE} `) && !c.includes(ENDPOINT_OVERRIDE_FILE)), 'the default (proxy) variant is docker-compose.yml alone, as before');
    assert.ok(!composeCalls.some((c) => / build /.test(c)), 'nothing to build for the proxy');
    assert.match(firstCalls[upIndex]!, new RegExp(`ext=${extensionDir(stateDir)} ksql=${ports.ksql} regex=temperature:\\.\\*temperature`));
    assert.ok(firstCalls.some((c) => / restart ksqldb-server /.test(c)), 'a new jar under a running ksqlDB restarts it');
    assert.ok(firstCalls.some((c) => /exec -T broker kafka-topics .*--topic temperature --partitions 3/.test(c)), 'the topic is created in the broker');
    assert.equal(readFileSync(join(extensionDir(stateDir), UDF_JAR_NAME), 'utf8'), 'a jar');
    const creates = ['CARSENSOR', 'CARSENSOR_SCORED', 'ANOMALYDETECTION', 'ANOMALYDETECTIONWITHFILTER'].map((name) => `CREATE OR REPLACE STREAM ${name}`);
    assert.deepEqual(ksqlDb.statements.map((s) => s.ksql.split(/\s+/).slice(0, 5).join(' ')), ['DESCRIBE FUNCTION ANOMALY;', ...creates, 'SHOW STREAMS;', 'SHOW QUERIES;']);
    assert.deepEqual(
      ksqlDb.statements.slice(1, 1 + creates.length).map((s) => s.seq),
      creates.map((_, i) => (i === 0 ? undefined : i)),
      'each CREATE waits for the one before',
    );
    assert.match(first.stderr, /could not check the MQTT Proxy's record key/, 'no MQTT Proxy here: the key check warns and up goes on');
    const record = JSON.parse(readFileSync(join(stateDir, 'platform.json'), 'utf8')) as { runtime: string; endpoints: Record<string, string> };
    assert.deepEqual(record.endpoints, { bootstrapServers: `127.0.0.1:${ports.kafka}`, mqttUrl: `mqtt://127.0.0.1:${ports.mqtt}`, ksqlUrl: `http://127.0.0.1:${ports.ksql}` });

    const callsBefore = calls().length;
    const statementsBefore = ksqlDb.statements.length;
    ksqlDb.warn('The server has encountered an incompatible entry in its log and cannot process further DDL statements.');
    const second = await runCli(upArgs, env);
    assert.equal(second.code, 0, second.stderr);
    assert.ok(!calls().slice(callsBefore).some((c) => / restart /.test(c)), 'the same jar again: no restart');
    assert.deepEqual(
      ksqlDb.statements.slice(statementsBefore).filter((s) => s.ksql.startsWith('CREATE')).map((s) => s.ksql.split(/\s+/).slice(0, 5).join(' ')),
      creates,
      'up again replaces the streams in place, so a changed scenario reaches the running queries',
    );
    assert.doesNotMatch(second.stderr, /Cannot add stream/);
    assert.match(second.stderr, /^warning: CREATE OR REPLACE STREAM ANOMALYDETECTION .* -> Created query with ID CSAS_ANOMALYDETECTION_\d+; warning: The server has encountered an incompatible entry/m, "ksqlDB's warnings are shown as warnings");

    ksqlDb.refuse('ANOMALYDETECTION');
    const refused = await runCli(upArgs, env);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /ksqlDB cannot replace stream ANOMALYDETECTION in place/);
    assert.match(refused.stderr, /hint: .*edge-ml down --volumes/);
    assert.match(refused.stderr, /hint: .*edge-ml ksql run "DROP STREAM ANOMALYDETECTION DELETE TOPIC;"/);

    const status = await runCliStdout(['--state-dir', stateDir, '--json', 'status'], env);
    const parsed = JSON.parse(status) as { runtime: string; running: boolean; components: { state: string }[]; processing: { version: string; streams: string[] } };
    assert.equal(parsed.runtime, 'docker', 'status finds the runtime from the state dir');
    assert.equal(parsed.running, true);
    assert.equal(parsed.processing.version, '7.9.0');
    assert.deepEqual(parsed.processing.streams, ['CARSENSOR', 'CARSENSOR_SCORED', 'ANOMALYDETECTION', 'ANOMALYDETECTIONWITHFILTER']);

    const run = await runCliStdout(['--state-dir', stateDir, 'ksql', 'run', 'SHOW STREAMS;'], env);
    assert.match(run, /^SHOW STREAMS; -> streams: CARSENSOR \(topic CARSENSOR\)/);

    const down = await runCli(['--state-dir', stateDir, 'down', '--volumes'], env);
    assert.equal(down.code, 0, down.stderr);
    assert.ok(calls().some((c) => / down --remove-orphans --volumes /.test(c)));
    assert.ok(!existsSync(join(stateDir, 'platform.json')), 'down clears the record');
  } finally {
    ksqlDb.close();
  }
});

test('with a stand-in docker CLI (no image is built here): up --runtime docker --mqtt endpoint builds and starts the endpoint variant, records it, and down removes it', async () => {
  const { stateDir, ksqlDb, env, upArgs, calls } = await standInPlatform('mqtt-endpoint');
  const endpointFiles = `compose -p edge-ml -f ${COMPOSE_FILE} -f ${ENDPOINT_OVERRIDE_FILE} `;
  try {
    const up = await runCli([...upArgs, '--mqtt', 'endpoint'], env);
    assert.equal(up.code, 0, up.stderr);
    const composeCalls = calls().filter((c) => c.startsWith('compose -p'));
    assert.ok(composeCalls.length > 0 && composeCalls.every((c) => c.startsWith(endpointFiles)), `every compose call names both files:\n${composeCalls.join('\n')}`);
    const build = composeCalls.findIndex((c) => c.startsWith(`${endpointFiles}build mqtt-endpoint `));
    const start = composeCalls.findIndex((c) => c.startsWith(`${endpointFiles}up -d `));
    assert.ok(build >= 0 && build < start, 'the endpoint image is built before the containers start');
    assert.match(composeCalls[start]!, /regex=temperature:\.\*temperature/, 'the scenario mapping reaches compose');
    assert.doesNotMatch(up.stderr, /MQTT Proxy's record key/, "no proxy, no check of the proxy's key");
    const record = JSON.parse(readFileSync(join(stateDir, 'platform.json'), 'utf8')) as { mqtt?: string };
    assert.equal(record.mqtt, 'endpoint');

    const status = JSON.parse(await runCliStdout(['--state-dir', stateDir, '--json', 'status'], env)) as { running: boolean; components: { name: string }[] };
    assert.equal(status.running, true);
    assert.deepEqual(status.components.map((c) => c.name), ['kafka', 'ksqldb', 'mqtt-endpoint']);

    const callsBefore = calls().length;
    const other = await runCli([...upArgs, '--mqtt', 'proxy'], env);
    assert.equal(other.code, 2, other.stderr);
    assert.match(other.stderr, /running with --mqtt endpoint; it cannot switch to --mqtt proxy/);
    assert.match(other.stderr, /hint: edge-ml down first/);
    assert.equal(calls().length, callsBefore, 'refused before any docker call');

    const down = await runCli(['--state-dir', stateDir, 'down'], env);
    assert.equal(down.code, 0, down.stderr);
    assert.ok(calls().some((c) => c.startsWith(`${endpointFiles}down --remove-orphans `)), 'down uses the recorded variant');
  } finally {
    ksqlDb.close();
  }
});

function runCliStdout(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise(stdout) : reject(new Error(`edge-ml ${args.join(' ')} exited ${code}: ${stderr}`))));
  });
}
