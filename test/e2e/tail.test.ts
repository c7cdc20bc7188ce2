import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from '../support/node-test.js';
import { Chalk } from 'chalk';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { createTopics } from '../../src/kafka/admin.js';
import { loadScenario } from '../../src/scenario/load.js';
import { writePlatform } from '../../src/state/state-dir.js';
import { recordJson, recordLine, type FormatContext } from '../../src/tail/tail-record.js';
import { resolveTailTarget } from '../../src/tail/tail-target.js';
import { startTestKafka, type TestKafka } from '../support/kafka.js';
import { freePort } from '../support/ports.js';
import { jsonLines, spawnCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

const scenario = loadScenario('connected-cars');
const ANSI = /\u001b\[/;

/** An empty state dir, removed when the tests end. */
const stateDir = (): string => tempDir('edge-ml-tail-home-');

/** Runs the CLI with its own empty state dir unless one is given; colour is left to the CLI's own judgement (no NO_COLOR). */
function edgeMl(args: string[], env: Record<string, string> = {}) {
  return spawnCli(env.EDGE_ML_HOME ?? stateDir(), args, { timeoutMs: 60_000, env: { NO_COLOR: undefined, ...env } });
}


describe('edge-ml tail against a real Kafka', () => {
  let kafka: TestKafka;
  let kafkajs: Kafka;
  // Below the model's threshold, above it, and above three times it.
  const t = scenario.model.threshold;
  const scores = [
    { CARID: '1', EVENTID: 1, ANOMALY_VAL: t / 2 },
    { CARID: '2', EVENTID: 7, ANOMALY_VAL: 2 * t },
    { CARID: '3', EVENTID: 9, ANOMALY_VAL: 10 * t },
  ];
  const shown = (value: number): string => value.toPrecision(3).replace('.', '\\.');

  async function produce(topic: string, records: { key: string | null; value: string | null }[]): Promise<void> {
    const producer = kafkajs.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      await producer.send({ topic, messages: records });
    } finally {
      await producer.disconnect();
    }
  }

  before(async () => {
    kafka = await startTestKafka();
    kafkajs = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING });
    await createTopics({ bootstrap: kafka.bootstrap }, [
      { name: scenario.streams.scores, partitions: 1 },
      { name: scenario.streams.source, partitions: 1 },
      { name: 'plain', partitions: 1 },
      { name: 'empty', partitions: 1 },
    ]);
    await produce(scenario.streams.scores, scores.map((s) => ({ key: `car/${s.CARID}/engine/temperature`, value: JSON.stringify(s) })));
  });
  after(async () => {
    await kafka?.stop();
  });

  test('--json --from-beginning --max N prints exactly those records, as ksqlDB rows', async () => {
    const run = await edgeMl(['tail', 'scores', '--bootstrap-server', kafka.bootstrap, '--from-beginning', '--max', '3', '--json']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(
      jsonLines(run.stdout),
      scores.map((s) => ({ MQTT_TOPIC: `car/${s.CARID}/engine/temperature`, ...s })),
    );
  });

  test('--max stops early; any topic name works, non-JSON values keep key and text', async () => {
    await produce('plain', [
      { key: 'a', value: '{"x":1}' },
      { key: null, value: 'not json' },
      { key: 'c', value: 'third' },
    ]);
    const run = await edgeMl(['tail', 'plain', '--bootstrap-server', kafka.bootstrap, '--from-beginning', '--max', '2', '--json']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(jsonLines(run.stdout), [{ x: 1 }, { key: null, value: 'not json' }]);
  });

  test('sensors: MQTT topic, car, event id and reading count; malformed payloads say why', async () => {
    const payload = `42,${Array.from({ length: 210 }, (_, i) => (5 + i / 100).toFixed(2)).join('# ')}`;
    await produce(scenario.streams.source, [
      { key: 'car/5/engine/temperature', value: payload },
      { key: 'car/engine/temperature', value: '43,1.0# 2.0# 3.0' },
    ]);
    const run = await edgeMl(['tail', 'sensors', '--bootstrap-server', kafka.bootstrap, '--from-beginning', '--max', '2', '--json']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(jsonLines(run.stdout), [
      { MQTT_TOPIC: 'car/5/engine/temperature', CARID: '5', EVENTID: 42, READINGS: 210 },
      { MQTT_TOPIC: 'car/engine/temperature', CARID: 'car/engine/temperature', EVENTID: 43, READINGS: 3, INVALID: '3 readings, expected 210' },
    ]);
  });

  test('--timeout S exits 0 after S seconds without a record', async () => {
    const started = Date.now();
    const run = await edgeMl(['tail', 'empty', '--bootstrap-server', kafka.bootstrap, '--from-beginning', '--timeout', '2']);
    const seconds = (Date.now() - started) / 1000;
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.stdout, '');
    assert.ok(seconds >= 2 && seconds < 15, `took ${seconds} s`);
  });

  test('human format piped: time, car, event, score and severity words, no ANSI codes', async () => {
    const run = await edgeMl(['tail', 'scores', '--bootstrap-server', kafka.bootstrap, '--from-beginning', '--max', '3'], { FORCE_COLOR: '3' });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.doesNotMatch(run.stdout + run.stderr, ANSI);
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} +car 1 +event 1 +score ${shown(t / 2)}$`));
    assert.match(lines[1]!, new RegExp(`car 2 +event 7 +score ${shown(2 * t)} +anomaly$`));
    assert.match(lines[2]!, new RegExp(`car 3 +event 9 +score ${shown(10 * t)} +ANOMALY$`));
  });

  test('without --group nothing is committed; with --group the next run continues after the last record printed', async () => {
    const admin = kafkajs.admin();
    await admin.connect();
    try {
      const first = await edgeMl(['tail', 'scores', '--bootstrap-server', kafka.bootstrap, '--from-beginning', '--max', '2', '--json', '--group', 'readers']);
      const second = await edgeMl(['tail', 'scores', '--bootstrap-server', kafka.bootstrap, '--from-beginning', '--max', '1', '--timeout', '3', '--json', '--group', 'readers']);
      assert.deepEqual(jsonLines(first.stdout).map((r) => (r as { EVENTID: number }).EVENTID), [1, 7]);
      assert.deepEqual(jsonLines(second.stdout).map((r) => (r as { EVENTID: number }).EVENTID), [9]);
      const { groups } = await admin.listGroups();
      const throwaway = groups.filter((g) => g.groupId.startsWith('edge-ml-tail-'));
      assert.ok(throwaway.length > 0, 'the earlier tails used throwaway groups');
      for (const { groupId } of throwaway) {
        for (const topic of await admin.fetchOffsets({ groupId, topics: [scenario.streams.scores] })) {
          assert.ok(topic.partitions.every((p) => p.offset === '-1'), `${groupId} committed ${JSON.stringify(topic.partitions)}`);
        }
      }
    } finally {
      await admin.disconnect();
    }
  });

  test('the bootstrap servers come from the running platform in the state dir', async () => {
    const home = stateDir();
    writePlatform(home, { runtime: 'local', scenarioFile: scenario.file, startedAt: new Date().toISOString(), endpoints: { bootstrapServers: kafka.bootstrap, mqttUrl: 'mqtt://127.0.0.1:1883' } });
    const run = await edgeMl(['tail', 'scores', '--from-beginning', '--max', '1', '--json'], { EDGE_ML_HOME: home });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(jsonLines(run.stdout).length, 1);
  });

  test('a topic that does not exist is an error naming it', async () => {
    const run = await edgeMl(['tail', 'NO_SUCH_TOPIC', '--bootstrap-server', kafka.bootstrap, '--max', '1']);
    assert.equal(run.exitCode, 1);
    assert.match(run.stderr, /topic NO_SUCH_TOPIC does not exist on 127\.0\.0\.1:\d+/);
  });

  test('Ctrl-C disconnects and exits 130', async () => {
    const child = edgeMl(['tail', 'scores', '--bootstrap-server', kafka.bootstrap, '--from-beginning']);
    // Interrupt once it is reading: its first record is out. A tail that exits without printing fails here, not by the timeout.
    let printed = false;
    const exitedEarly = child.then((r) => {
      if (!printed) assert.fail(`tail exited (${r.exitCode}) before printing a record: ${String(r.stderr)}`);
    });
    await Promise.race([once(child.stdout, 'data').then(() => (printed = true)), exitedEarly]);
    const started = Date.now();
    child.kill('SIGINT');
    const run = await child;
    assert.equal(run.exitCode, 130, run.stderr);
    assert.equal(run.stderr, '');
    assert.ok(Date.now() - started < 10_000);
  });
});

describe('edge-ml tail without a broker', () => {
  test('a broker that is down is an error naming the address, within seconds', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const started = Date.now();
    const run = await edgeMl(['tail', 'anomalies', '--bootstrap-server', address, '--max', '1']);
    assert.equal(run.exitCode, 1);
    assert.match(run.stderr, new RegExp(`cannot reach Kafka at ${address.replaceAll('.', '\\.')}`));
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
  });

  test('no running platform and no --bootstrap-server: says how to get one', async () => {
    const run = await edgeMl(['tail']);
    assert.equal(run.exitCode, 1);
    assert.match(run.stderr, /no running platform found; run edge-ml up or give --bootstrap-server/);
  });
});

describe('tail targets and record formats', () => {
  const plain: FormatContext = { shape: 'score', scenario, c: new Chalk({ level: 0 }) };

  test('aliases come from the scenario; other words are topic names', () => {
    assert.deepEqual(resolveTailTarget('anomalies', scenario), { topic: scenario.streams.anomalies, shape: 'score' });
    assert.deepEqual(resolveTailTarget('scores', scenario), { topic: scenario.streams.scores, shape: 'score' });
    assert.deepEqual(resolveTailTarget('sensors', scenario), { topic: scenario.streams.source, shape: 'sensor' });
    assert.deepEqual(resolveTailTarget(scenario.streams.anomalies, scenario), { topic: scenario.streams.anomalies, shape: 'score' });
    assert.deepEqual(resolveTailTarget('audit', scenario), { topic: 'audit', shape: 'plain' });
  });

  test('severity is relative to the model threshold, in colour on a terminal', () => {
    const t = scenario.model.threshold;
    const line = (score: number, c = plain.c): string =>
      recordLine({ key: 'car/4/engine/temperature', value: Buffer.from(JSON.stringify({ CARID: '4', EVENTID: 2, ANOMALY_VAL: score })), timestamp: 0 }, { ...plain, c });
    assert.doesNotMatch(line(t), /anomaly/i);
    assert.match(line(t * 1.5), /anomaly$/);
    assert.match(line(t * 4), /ANOMALY$/);
    const coloured = new Chalk({ level: 1 });
    assert.match(line(t * 4, coloured), /\u001b\[31m/, 'red');
    assert.match(line(t / 2, coloured), /\u001b\[32m/, 'green');
  });

  test('a scored record keeps an MQTT_TOPIC field of its own', () => {
    const value = { MQTT_TOPIC: 'x', CARID: 'x', EVENTID: 1, ANOMALY_VAL: 0.1 };
    assert.deepEqual(recordJson({ key: 'car/1/engine/temperature', value: Buffer.from(JSON.stringify(value)), timestamp: 0 }, plain), value);
  });
});
