/**
 * Attached mode end to end, through the CLI only: a real 3-broker KRaft cluster with a SASL_SSL
 * listener (CA and certificates made at test time, PLAIN and SCRAM-SHA-512 users), edge-ml's MQTT
 * endpoint and processors started beside it by `up --bootstrap-server --kafka-config`, Mosquitto's
 * clients and kcat as peers.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { RunSummary } from '../../src/generator/run-stats.js';
import type { PlatformStatus } from '../../src/runtime/types.js';
import { createKafka } from '../../src/kafka/kafka-client.js';
import { loadKafkaClientConfig } from '../../src/kafka/client-config.js';
import { jsonLines, lastJsonLine, runCli, spawnCli, type CliRun } from '../support/cli.js';
import { endOffsets, readTopicWithKcat, type TopicRecord } from '../support/kcat.js';
import { seedPayload } from '../support/seed-message.js';
import { after, before, test } from '../support/node-test.js';
import { makeCa } from '../support/pki.js';
import { freePort, waitFor } from '../support/ports.js';
import { startSecureCluster, type SecureCluster } from '../support/secure-kafka.js';
import { tempDir } from '../support/temp-dir.js';

interface ScoreRecord {
  CARID: string;
  EVENTID: number;
  ANOMALY_VAL: number;
}

let cluster: SecureCluster;
/** Java style, PLAIN in sasl.jaas.config. */
let javaPlainFile = '';
/** librdkafka style, SCRAM-SHA-512. */
let librdkafkaScramFile = '';
/** What kcat reads the topics with. */
let kcatFile = '';
const home = tempDir('edge-ml-attached-');
let mqttPort = 0;


const attachedUp = (stateDir: string, configFile: string, extra: string[] = []): Promise<CliRun> =>
  runCli(stateDir, ['up', '--bootstrap-server', cluster.bootstrap, '--kafka-config', configFile, '--mqtt-port', String(mqttPort), '--timeout', '180', ...extra], { timeoutMs: 240_000 });

async function status(stateDir = home): Promise<PlatformStatus> {
  return lastJsonLine<PlatformStatus>((await runCli(stateDir, ['status', '--json'])).stdout);
}

async function pidOf(component: string): Promise<number> {
  const pid = (await status()).components.find((c) => c.name === component)?.pid;
  assert.ok(pid, `${component} has a pid`);
  return pid;
}

const topicRecords = (topic: string): Promise<TopicRecord[]> => readTopicWithKcat(cluster.bootstrap, topic, kcatFile);


const after_ = (seen: Map<number, number>) => (r: TopicRecord) => r.offset > (seen.get(r.partition) ?? -1);

/** "car/eventId" of a temperature record, or of a score record. */
const sensorKey = (r: TopicRecord): string => `${r.key!.split('/')[1]}/${r.payload!.split(',')[0]}`;
const scoreKey = (r: TopicRecord): string => {
  const s = JSON.parse(r.payload!) as ScoreRecord;
  return `${s.CARID}/${s.EVENTID}`;
};

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** The generator's cars (car/<n>/engine/temperature): not the tutorial's own car/engine/temperature. */
const ofGenerator = (r: TopicRecord): boolean => /^car\/\d+\/engine\/temperature$/.test(r.key ?? '');

/**
 * Every acked event of a run (cars 1..cars, ids 1..perCar, after the offsets seen before it) is in
 * temperature, and ANOMALYDETECTION (read committed, as kcat reads) holds exactly one score per
 * temperature record.
 */
async function assertEveryEventScoredOnce(cars: number, perCar: number, seenSensors: Map<number, number>, seenScores: Map<number, number>): Promise<void> {
  const wanted = Array.from({ length: cars }, (_, c) => Array.from({ length: perCar }, (_, i) => `${c + 1}/${i + 1}`)).flat();
  let landed: TopicRecord[] = [];
  let landedCounts = new Map<string, number>();
  // Read until complete: a partition's new leader serves up to its high watermark, which catches up a moment after a failover.
  await waitFor('every acked event in temperature', async () => {
    landed = (await topicRecords('temperature')).filter(after_(seenSensors)).filter(ofGenerator);
    landedCounts = countBy(landed, sensorKey);
    return wanted.every((key) => landedCounts.has(key));
  }, 60_000, 1000).catch(() => undefined);
  assert.deepEqual(wanted.filter((key) => !landedCounts.has(key)), [], 'every acked event is in temperature');
  let scores: TopicRecord[] = [];
  await waitFor(`${landed.length} scores`, async () => {
    scores = (await topicRecords('ANOMALYDETECTION')).filter(after_(seenScores)).filter(ofGenerator);
    return scores.length >= landed.length;
  }, 120_000, 1000);
  const scoreCounts = countBy(scores, scoreKey);
  const wrong = [...landedCounts].filter(([key, n]) => scoreCounts.get(key) !== n).map(([key, n]) => `${key}: ${n} in temperature, ${scoreCounts.get(key) ?? 0} scores`);
  assert.deepEqual(wrong, [], 'every record scored exactly once');
  assert.equal(scores.length, landed.length, 'no score without its record');
}

/** 10 cars publishing QoS 1 at 10 msg/s each, perCar messages: perCar / 10 seconds. */
function startCars(clientPrefix: string, perCar: number) {
  return spawnCli(home, ['generate', '--cars', '10', '--count', String(perCar), '--rate', '10', '--qos', '1', '--client-prefix', clientPrefix, '--anomaly-rate', '0', '--seed', '5', '--json']);
}

before(async () => {
  cluster = await startSecureCluster();
  javaPlainFile = cluster.javaClientConfig('plain');
  librdkafkaScramFile = cluster.librdkafkaClientConfig('scram');
  kcatFile = cluster.librdkafkaClientConfig('plain');
  mqttPort = await freePort();
});

after(async () => {
  await runCli(home, ['down']).catch(() => undefined);
  await cluster?.stop();
});

/** No process of the state dir: pgrep exits 1 for "none matched". */
async function assertNothingRunning(stateDir: string): Promise<void> {
  const pgrep = await execa('pgrep', ['-af', stateDir], { reject: false });
  assert.equal(pgrep.exitCode, 1, `processes of ${stateDir} left:\n${pgrep.stdout}`);
}

function assertNoSecret(text: string, where: string): void {
  for (const secret of [cluster.plain.password, cluster.scram.password]) assert.ok(!text.includes(secret), `a password appears in ${where}`);
}

test('a wrong password, a wrong CA, an unreachable bootstrap: each exit 1 with its cause, within the timeout, nothing left running, no password printed', async () => {
  const other = tempDir('edge-ml-attached-bad-');
  const otherCa = (await makeCa(tempDir('edge-ml-other-ca-'), 'other-ca')).certFile;
  const cases = [
    { what: 'wrong password', file: cluster.librdkafkaClientConfig('scram', { 'sasl.password': 'not-the-password' }), bootstrap: cluster.bootstrap, says: /refused the credentials .*\(authentication failed\)/ },
    { what: 'wrong CA', file: cluster.javaClientConfig('plain', { 'ssl.truststore.location': otherCa }), bootstrap: cluster.bootstrap, says: /TLS handshake with Kafka at .* failed/ },
    { what: 'unreachable bootstrap', file: javaPlainFile, bootstrap: `127.0.0.1:${await freePort()}`, says: /cannot reach Kafka at 127\.0\.0\.1:\d+/ },
  ];
  for (const c of cases) {
    const run = await runCli(other, ['up', '--bootstrap-server', c.bootstrap, '--kafka-config', c.file, '--mqtt-port', String(await freePort()), '--timeout', '60'], { timeoutMs: 90_000 });
    assert.equal(run.exitCode, 1, `${c.what}: ${run.stderr}`);
    assert.match(run.stderr, c.says, c.what);
    assert.ok(run.elapsedMs < 60_000, `${c.what}: ${run.elapsedMs} ms`);
    assertNoSecret(run.stdout + run.stderr, `${c.what}'s output`);
    await assertNothingRunning(other);
  }
});

test('attached up (Java-style PLAIN file, 2 processors): no broker started, topics with 3 replicas, the seed message from mosquitto_pub is scored, status shows the cluster', async () => {
  const run = await attachedUp(home, javaPlainFile, ['--processors', '2']);
  assert.equal(run.exitCode, 0, run.stderr);
  assertNoSecret(run.stdout + run.stderr, 'up');
  const s = await status();
  assert.equal(s.running, true, JSON.stringify(s.components));
  assert.deepEqual(s.components.map((c) => c.name), ['kafka', 'processor', 'processor-2', 'mqtt-endpoint']);
  const kafka = s.components.find((c) => c.name === 'kafka')!;
  assert.equal(kafka.pid, undefined, 'edge-ml runs no broker of its own');
  assert.match(kafka.detail ?? '', /attached cluster .*: 3 broker\(s\) reachable/);

  const admin = createKafka({ clientId: 'test', bootstrap: cluster.bootstrap, config: loadKafkaClientConfig(javaPlainFile) }).admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: ['temperature', 'ANOMALYDETECTION', 'ANOMALYDETECTIONWITHFILTER'] });
    for (const topic of topics) assert.ok(topic.partitions.every((p) => p.replicas.length === 3), `${topic.name} has 3 replicas`);
  } finally {
    await admin.disconnect();
  }

  const pub = await execa('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(mqttPort), '-t', 'car/engine/temperature', '-q', '1', '-m', seedPayload(4242)], { reject: false });
  assert.equal(pub.exitCode, 0, pub.stderr);
  // tail finds the cluster and its config file through the state dir.
  const tail = await runCli(home, ['tail', 'scores', '--from-beginning', '--max', '1', '--timeout', '60', '--json']);
  assert.equal(tail.exitCode, 0, tail.stderr);
  const [score] = jsonLines<ScoreRecord>(tail.stdout);
  assert.equal(score?.EVENTID, 4242);
  assert.ok(Number.isFinite(score?.ANOMALY_VAL));
});

test('the state dir, the logs and status --json hold the config file path, never a password', async () => {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'cache') walk(path);
      } else files.push(path);
    }
  };
  walk(home);
  assert.ok(files.length > 5, `state dir files: ${files.join(', ')}`);
  for (const file of files) assertNoSecret(readFileSync(file, 'latin1'), file);
  const json = (await runCli(home, ['status', '--json'])).stdout;
  assertNoSecret(json, 'status --json');
  assert.ok(json.includes(javaPlainFile), 'status names the config file');
});

test('one of two processors SIGKILLed mid-run: the other takes over its partitions, every event scored exactly once', async () => {
  const seenSensors = endOffsets(await topicRecords('temperature'));
  const seenScores = endOffsets(await topicRecords('ANOMALYDETECTION'));
  const cars = startCars('pk-', 80);
  await new Promise((r) => setTimeout(r, 3000));
  process.kill(await pidOf('processor-2'), 'SIGKILL');
  const result = await cars;
  assert.equal(result.exitCode, 0, String(result.stderr));
  assert.equal(lastJsonLine<RunSummary>(String(result.stdout)).acked, 800);
  await assertEveryEventScoredOnce(10, 80, seenSensors, seenScores);
  const s = await status();
  assert.equal(s.components.find((c) => c.name === 'processor-2')?.state, 'dead');
  assert.equal(s.components.find((c) => c.name === 'processor')?.state, 'running');
});

test('one broker SIGKILLed mid-run (cars at QoS 1): every acked event is in temperature and scored exactly once', async () => {
  const restarted = await attachedUp(home, javaPlainFile, ['--processors', '2']);
  assert.equal(restarted.exitCode, 0, restarted.stderr);
  const seenSensors = endOffsets(await topicRecords('temperature'));
  const seenScores = endOffsets(await topicRecords('ANOMALYDETECTION'));
  const cars = startCars('bk-', 80);
  await new Promise((r) => setTimeout(r, 3000));
  const victim = cluster.brokers[1]!.id;
  await cluster.killBroker(victim);
  try {
    const result = await cars;
    assert.equal(result.exitCode, 0, String(result.stderr));
    assert.equal(lastJsonLine<RunSummary>(String(result.stdout)).acked, 800);
    await assertEveryEventScoredOnce(10, 80, seenSensors, seenScores);
  } finally {
    await cluster.restartBroker(victim);
  }
});

test('down after attached up stops only what edge-ml started: the cluster keeps running with its topics and data', async () => {
  const before = (await topicRecords('temperature')).length;
  const down = await runCli(home, ['down', '--volumes']);
  assert.equal(down.exitCode, 0, down.stderr);
  assert.match(down.stderr, /left as they are/);
  await assertNothingRunning(home);
  for (const broker of cluster.brokers) assert.doesNotThrow(() => process.kill(broker.pid, 0), `broker ${broker.id} still runs`);
  assert.equal((await topicRecords('temperature')).length, before, 'the data is still there');
});

test('librdkafka-style SCRAM-SHA-512 file: edge-ml smoke against the attached cluster passes, the seed message is scored, down leaves the topics and down --delete-topics removes them', async () => {
  const smokeHome = tempDir('edge-ml-attached-smoke-');
  const smokeMqttPort = await freePort();
  const run = await runCli(smokeHome, ['smoke', '--bootstrap-server', cluster.bootstrap, '--kafka-config', librdkafkaScramFile, '--mqtt-port', String(smokeMqttPort), '--cars', '50', '--timeout', '180', '--keep', '--json'], { timeoutMs: 400_000 });
  assertNoSecret(run.stdout + run.stderr, 'smoke');
  assert.equal(run.exitCode, 0, `${run.stdout}\n${run.stderr}`);
  const report = lastJsonLine<{ passed: boolean; recall: number; precision: number; lost: number; acked: number; scored: number }>(run.stdout);
  assert.equal(report.passed, true);
  assert.equal(report.lost, 0);
  assert.equal(report.scored, report.acked);
  process.stderr.write(`# attached smoke (3 brokers, SASL_SSL SCRAM-SHA-512): recall ${report.recall}, precision ${report.precision}, ${report.acked} acked\n`);

  const pub = await execa('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(smokeMqttPort), '-t', 'car/scram/engine/temperature', '-q', '1', '-m', seedPayload(777)], { reject: false });
  assert.equal(pub.exitCode, 0, pub.stderr);
  const tail = await runCli(smokeHome, ['tail', 'scores', '--from-beginning', '--timeout', '20', '--json']);
  assert.equal(tail.exitCode, 0, tail.stderr);
  assert.ok(jsonLines<ScoreRecord>(tail.stdout).some((score) => score.CARID === 'scram' && score.EVENTID === 777), 'the seed message is scored');

  const down = await runCli(smokeHome, ['down']);
  assert.equal(down.exitCode, 0, down.stderr);
  await assertNothingRunning(smokeHome);
  assert.ok((await topicRecords('temperature')).length > 0, 'down left the topics and data');

  const remove = await runCli(smokeHome, ['down', '--delete-topics']);
  assert.equal(remove.exitCode, 0, remove.stderr);
  assert.match(remove.stderr, /deleted .*temperature/);
  const admin = createKafka({ clientId: 'test', bootstrap: cluster.bootstrap, config: loadKafkaClientConfig(javaPlainFile) }).admin();
  await admin.connect();
  try {
    await waitFor('the topics to be gone', async () => !(await admin.listTopics()).includes('temperature'), 30_000, 500);
  } finally {
    await admin.disconnect();
  }
});
