/**
 * End to end on the local runtime, through the CLI only: a real Kafka broker, the MQTT endpoint,
 * the Kafka Streams processor with the real UDF jar, Mosquitto's clients and kcat as peers.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from '../support/node-test.js';
import { execa } from 'execa';
import { Kafka, logLevel } from 'kafkajs';
import type { RunSummary } from '../../src/generator/run-stats.js';
import type { PlatformStatus } from '../../src/runtime/types.js';
import { jsonLines, lastJsonLine, runCli, spawnCli } from '../support/cli.js';
import { endOffsets, readTopicWithKcat, type TopicRecord } from '../support/kcat.js';
import { seedPayload } from '../support/seed-message.js';
import { freeKafkaPort, freePort, waitFor } from '../support/ports.js';
import { tempDir } from '../support/temp-dir.js';

interface ScoreRecord {
  MQTT_TOPIC: string;
  CARID: string;
  EVENTID: number;
  ANOMALY_VAL: number;
}
interface Label {
  carId: string;
  eventId: number;
  kind: string;
}

const home = tempDir('edge-ml-e2e-');
const work = tempDir('edge-ml-e2e-work-');
let kafkaPort = 0;
let mqttPort = 0;
let bootstrap = '';
const upFigures: { coldMs?: number; warmMs?: number } = {};


const up = (extra: string[] = []) =>
  runCli(home, ['up', '--runtime', 'local', '--kafka-port', String(kafkaPort), '--mqtt-port', String(mqttPort), '--timeout', '240', ...extra]);

async function status(): Promise<PlatformStatus> {
  return lastJsonLine<PlatformStatus>((await runCli(home, ['status', '--json'])).stdout);
}

async function pidOf(component: string): Promise<number> {
  const pid = (await status()).components.find((c) => c.name === component)?.pid;
  assert.ok(pid, `${component} has a pid`);
  return pid;
}

function processorCounts(): { scored: number; skipped: number } {
  return JSON.parse(readFileSync(join(home, 'local', 'run', 'processor-status.json'), 'utf8')) as { scored: number; skipped: number };
}

function endpointCounts(): { refusedOversize: number; produced: number } {
  return JSON.parse(readFileSync(join(home, 'local', 'run', 'mqtt-endpoint-status.json'), 'utf8')) as { refusedOversize: number; produced: number };
}

const mosquittoPub = (topic: string, args: string[], input?: Buffer) =>
  execa('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(mqttPort), '-t', topic, '-q', '1', ...args], { reject: false, timeout: 30_000, input });

async function recordsFor(topic: string, keyPrefix: string): Promise<TopicRecord[]> {
  return (await readTopicWithKcat(bootstrap, topic)).filter((r) => r.key?.startsWith(keyPrefix));
}

function scoresOf(records: TopicRecord[]): ScoreRecord[] {
  return records.map((r) => ({ MQTT_TOPIC: r.key!, ...(JSON.parse(r.payload!) as Omit<ScoreRecord, 'MQTT_TOPIC'>) }));
}


/** Waits until ANOMALYDETECTION holds a score for every (car, event) expected, of the MQTT topics that match. */
async function waitForScores(topics: RegExp, expected: number): Promise<ScoreRecord[]> {
  let scores: ScoreRecord[] = [];
  await waitFor(`${expected} scores of ${topics}`, async () => {
    scores = scoresOf((await readTopicWithKcat(bootstrap, 'ANOMALYDETECTION')).filter((r) => topics.test(r.key ?? '')));
    return new Set(scores.map((s) => `${s.CARID}/${s.EVENTID}`)).size >= expected;
  }, 90_000, 1000);
  return scores;
}

before(async () => {
  kafkaPort = await freeKafkaPort();
  mqttPort = await freePort();
  bootstrap = `127.0.0.1:${kafkaPort}`;
  const cold = await up();
  assert.equal(cold.exitCode, 0, `up failed:\n${cold.stderr}`);
  upFigures.coldMs = cold.elapsedMs;
});

after(async () => {
  await runCli(home, ['down', '--volumes']);
  process.stderr.write(`# local up: first ${upFigures.coldMs} ms, after down with a warm cache ${upFigures.warmMs ?? '-'} ms\n`);
});

test('up reaches ready: every component running, endpoints recorded for the other commands', async () => {
  const s = await status();
  assert.equal(s.running, true, JSON.stringify(s.components));
  assert.deepEqual(s.components.map((c) => [c.name, c.state]), [['kafka', 'running'], ['processor', 'running'], ['mqtt-endpoint', 'running']]);
  assert.equal(s.endpoints?.bootstrapServers, bootstrap);
  assert.equal(s.endpoints?.mqttUrl, `mqtt://127.0.0.1:${mqttPort}`);
});

test('up twice is harmless: it reports the platform and changes nothing', async () => {
  const pids = (await status()).components.map((c) => c.pid);
  const again = await up();
  assert.equal(again.exitCode, 0, again.stderr);
  assert.match(again.stderr, /already up; nothing changed/);
  assert.deepEqual((await status()).components.map((c) => c.pid), pids);
});

test('a port in use is refused before anything starts, naming the port and its holder', async () => {
  const otherHome = tempDir('edge-ml-e2e-other-');
  const run = await runCli(otherHome, ['up', '--runtime', 'local', '--kafka-port', String(kafkaPort), '--mqtt-port', String(await freePort())]);
  assert.equal(run.exitCode, 1);
  assert.match(run.stderr, new RegExp(`Kafka port 127\\.0\\.0\\.1:${kafkaPort} is in use by pid \\d+ \\(java`));
  assert.equal((await runCli(otherHome, ['status', '--json'])).stdout.includes('"running":false'), true, 'nothing started');
});

test("the seed's topic and format: mosquitto_pub lands in temperature keyed by MQTT topic, and tail scores shows its score", async () => {
  const pub = await mosquittoPub('car/engine/temperature', ['-m', seedPayload(99999)]);
  assert.equal(pub.exitCode, 0, pub.stderr);
  const stored = await recordsFor('temperature', 'car/engine/temperature');
  assert.equal(stored.length, 1);
  assert.equal(stored[0]!.payload, seedPayload(99999));
  const tail = await runCli(home, ['tail', 'scores', '--from-beginning', '--max', '1', '--timeout', '60', '--json']);
  assert.equal(tail.exitCode, 0, tail.stderr);
  const [score] = jsonLines<ScoreRecord>(tail.stdout);
  assert.equal(score?.EVENTID, 99999);
  assert.equal(score?.CARID, 'car/engine/temperature');
  assert.ok(Number.isFinite(score?.ANOMALY_VAL), `finite ANOMALY_VAL, got ${score?.ANOMALY_VAL}`);
});

test('100 cars x 20 messages with labelled faults: nothing lost, every event scored once, anomalies match the labels', async () => {
  const labelsFile = join(work, 'labels.jsonl');
  const gen = await runCli(home, ['generate', '--cars', '100', '--count', '20', '--rate', '0', '--anomaly-rate', '0.1', '--seed', '7', '--labels', labelsFile, '--json']);
  assert.equal(gen.exitCode, 0, gen.stderr);
  const summary = lastJsonLine<RunSummary>(gen.stdout);
  assert.equal(summary.acked, 2000);
  assert.equal(summary.failed, 0);

  const landed = (await readTopicWithKcat(bootstrap, 'temperature')).filter((r) => /^car\/\d+\/engine\/temperature$/.test(r.key ?? ''));
  assert.equal(landed.length, summary.acked, 'every acked message is in temperature');

  // The generator's cars only: the tutorial's own car/engine/temperature record is scored too.
  const scores = await waitForScores(/^car\/\d+\/engine\/temperature$/, 2000);
  const keys = scores.map((s) => `${s.CARID}/${s.EVENTID}`);
  assert.equal(keys.length, 2000, 'every event scored exactly once');
  assert.equal(new Set(keys).size, 2000);

  const tail = await runCli(home, ['tail', 'anomalies', '--from-beginning', '--timeout', '15', '--json']);
  assert.equal(tail.exitCode, 0, tail.stderr);
  const flagged = new Set(jsonLines<ScoreRecord>(tail.stdout).filter((s) => /^\d+$/.test(s.CARID)).map((s) => `${s.CARID}/${s.EVENTID}`));
  const labels = readFileSync(labelsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Label);
  const injected = new Set(labels.map((l) => `${l.carId}/${l.eventId}`));
  assert.ok(injected.size > 100, `about 10% of 2000 carry faults, got ${injected.size}`);
  const caught = [...injected].filter((k) => flagged.has(k)).length;
  const recall = caught / injected.size;
  const precision = flagged.size === 0 ? 0 : caught / flagged.size;
  process.stderr.write(`# e2e detection: recall ${recall.toFixed(3)}, precision ${precision.toFixed(3)} (${caught} of ${injected.size} faults, ${flagged.size} flagged)\n`);
  assert.ok(recall >= 0.9, `recall ${recall}`);
  assert.ok(precision >= 0.9, `precision ${precision}`);
});

test('malformed payloads are stored, skipped and counted by the processor; an oversize one is refused by the endpoint; scoring goes on', async () => {
  const skippedBefore = processorCounts().skipped;
  const topic = 'car/bad/engine/temperature';
  const nonNumeric = `1,${Array.from({ length: 210 }, () => 'hot').join('# ')}`;
  const binaryFile = join(work, 'binary.bin');
  writeFileSync(binaryFile, Buffer.from([0x00, 0xff, 0x2c, 0x81, 0x23, 0x00, 0x7f]));
  for (const args of [['-m', nonNumeric], ['-m', '2,1.0# 2.0# 3.0'], ['-n'], ['-f', binaryFile]]) {
    const pub = await mosquittoPub(topic, args);
    assert.equal(pub.exitCode, 0, `${args.join(' ')}: ${pub.stderr}`);
  }
  assert.equal((await recordsFor('temperature', topic)).length, 4, 'all four are stored in temperature');

  const refusedBefore = endpointCounts().refusedOversize;
  const oversize = await mosquittoPub('car/big/engine/temperature', ['-s'], Buffer.alloc(1024 * 1024, 0x31));
  assert.notEqual(oversize.exitCode, 0, 'the oversize publish is not acknowledged');

  const good = await mosquittoPub('car/after-bad/engine/temperature', ['-m', seedPayload(5)]);
  assert.equal(good.exitCode, 0);
  const [score] = await waitForScores(/^car\/after-bad\//, 1);
  assert.ok(Number.isFinite(score!.ANOMALY_VAL));
  await waitFor('skipped count', () => processorCounts().skipped >= skippedBefore + 4, 30_000, 500);
  assert.equal(processorCounts().skipped, skippedBefore + 4);
  assert.equal((await recordsFor('ANOMALYDETECTION', topic)).length, 0, 'nothing of the malformed payloads is scored');
  await waitFor('refused count', () => endpointCounts().refusedOversize === refusedBefore + 1, 10_000, 500);
  assert.equal((await recordsFor('temperature', 'car/big/')).length, 0);
});

test('the MQTT endpoint killed mid-run and started again: the generator reconnects and nothing acked is lost', async () => {
  const endpointPid = await pidOf('mqtt-endpoint');
  const seen = endOffsets(await readTopicWithKcat(bootstrap, 'temperature'));
  const producedBefore = endpointCounts().produced;
  // 12 s of sending at 10 msg/s per car, so the kill lands mid-run.
  const perCar = 120;
  const gen = spawnCli(home, ['generate', '--cars', '20', '--count', String(perCar), '--rate', '10', '--client-prefix', 'e2e-kill-', '--anomaly-rate', '0', '--seed', '11', '--json']);
  // Kill it once this run's records flow into Kafka (the endpoint's own count, cheap to poll).
  await waitFor('the generator publishing', () => endpointCounts().produced >= producedBefore + 100, 60_000, 200);
  process.kill(endpointPid, 'SIGKILL');
  await new Promise((r) => setTimeout(r, 1000));
  const restarted = await up();
  assert.equal(restarted.exitCode, 0, restarted.stderr);
  assert.notEqual(await pidOf('mqtt-endpoint'), endpointPid);
  const result = await gen;
  assert.equal(result.exitCode, 0, String(result.stderr));
  const summary = lastJsonLine<RunSummary>(String(result.stdout));
  assert.equal(summary.acked, 20 * perCar);
  assert.ok(summary.reconnects >= 1, `the generator counted its reconnects: ${JSON.stringify(summary)}\n${String(result.stderr)}`);
  const landed = (await readTopicWithKcat(bootstrap, 'temperature')).filter((r) => r.offset > (seen.get(r.partition) ?? -1));
  const byCar = new Map<string, Set<number>>();
  for (const r of landed) {
    const car = r.key!.split('/')[1]!;
    const eventId = Number(r.payload!.split(',')[0]);
    if (!byCar.has(car)) byCar.set(car, new Set());
    byCar.get(car)!.add(eventId);
  }
  for (let car = 1; car <= 20; car++) {
    const ids = byCar.get(String(car)) ?? new Set();
    const missing = Array.from({ length: perCar }, (_, i) => i + 1).filter((id) => !ids.has(id));
    assert.deepEqual(missing, [], `car ${car}: no acked event missing`);
  }
});

test('the processor killed and started again resumes from its committed offsets: no record missing in ANOMALYDETECTION', async () => {
  const processorPid = await pidOf('processor');
  process.kill(processorPid, 'SIGKILL');
  const topicOf = (i: number): string => `car/resume-${i}/engine/temperature`;
  for (let i = 1; i <= 20; i++) {
    const pub = await mosquittoPub(topicOf(i), ['-m', seedPayload(i)]);
    assert.equal(pub.exitCode, 0);
  }
  const s = await status();
  assert.equal(s.components.find((c) => c.name === 'processor')?.state, 'dead');
  const restarted = await up();
  assert.equal(restarted.exitCode, 0, restarted.stderr);
  const scores = await waitForScores(/^car\/resume-/, 20);
  assert.deepEqual([...new Set(scores.map((x) => x.EVENTID))].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
  assert.equal(scores.length, 20, 'exactly once: no duplicates after the restart');
});

test('the processor stopped cleanly leaves its consumer group at once, so down then up with a warm cache is not kept waiting for it', async () => {
  process.kill(await pidOf('processor'), 'SIGTERM');
  await waitFor('the processor to exit', async () => (await status()).components.find((c) => c.name === 'processor')?.state === 'dead');
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups(['edge-ml-processor']);
    assert.deepEqual(groups[0]?.members, [], `members left in ${groups[0]?.state}`);
  } finally {
    await admin.disconnect();
  }
  assert.equal((await runCli(home, ['down'])).exitCode, 0);
  const warm = await up();
  assert.equal(warm.exitCode, 0, warm.stderr);
  upFigures.warmMs = warm.elapsedMs;
  assert.equal((await status()).components.find((c) => c.name === 'processor')?.state, 'running');
});

test('down leaves no process of the state dir running; down again with nothing running exits 0', async () => {
  const down = await runCli(home, ['down']);
  assert.equal(down.exitCode, 0, down.stderr);
  // pgrep exits 1 for "no process matched"; anything else (a match, or no pgrep at all) fails.
  const pgrep = await execa('pgrep', ['-af', home], { reject: false });
  assert.equal(pgrep.exitCode, 1, `pgrep -af ${home}: ${pgrep.exitCode === undefined ? pgrep.message : `exit ${pgrep.exitCode}`}\n${pgrep.stdout}${pgrep.stderr}`);
  const again = await runCli(home, ['down']);
  assert.equal(again.exitCode, 0, again.stderr);
  const s = await status();
  assert.equal(s.running, false);
  assert.ok(s.components.every((c) => c.state === 'stopped'));
});
