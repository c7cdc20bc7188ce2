import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from '../support/node-test.js';
import { Kafka, logLevel } from 'kafkajs';
import { EdgeMlError } from '../../src/errors.js';
import { createTopics, waitForKafka } from '../../src/kafka/admin.js';
import { resolveKafkaClasspath } from '../../src/runtime/local/kafka-jars.js';
import { formatStorage } from '../../src/runtime/local/kafka-storage.js';
import type { Reporter } from '../../src/runtime/types.js';
import { isRunning } from '../../src/runtime/local/supervisor.js';
import { startTestKafka, type TestKafka } from '../support/kafka.js';
import { freePort } from '../support/ports.js';
import { tempDir } from '../support/temp-dir.js';

const silent: Reporter = { step: (_title, work) => work(), info: () => undefined, warn: () => undefined };

describe('a local Kafka broker', () => {
  let kafka: TestKafka | undefined;
  let stopped = false;

  before(async () => {
    kafka = await startTestKafka();
  });
  after(async () => {
    if (!stopped) await kafka?.stop();
  });

  test('answers metadata with itself as the one broker of the formatted cluster', async () => {
    const admin = new Kafka({ brokers: [kafka!.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      assert.equal(cluster.brokers.length, 1);
      assert.equal(`${cluster.brokers[0]!.host}:${cluster.brokers[0]!.port}`, kafka!.bootstrap);
      const meta = readFileSync(join(kafka!.placement.dir, 'data', 'meta.properties'), 'utf8');
      assert.match(meta, new RegExp(`^cluster\\.id=${cluster.clusterId}$`, 'm'));
    } finally {
      await admin.disconnect();
    }
  });

  test('logs to its log file, not to its console', () => {
    assert.match(readFileSync(join(kafka!.placement.dir, 'kafka.log'), 'utf8'), /Kafka Server started/);
    assert.equal(readFileSync(join(kafka!.placement.dir, 'kafka.out'), 'utf8').trim(), '');
  });

  test('a formatted data dir keeps its cluster id and is not formatted again', async () => {
    const dataDir = join(kafka!.placement.dir, 'data');
    const before = readFileSync(join(dataDir, 'meta.properties'), 'utf8');
    // No classpath: running the storage tool again would fail.
    const clusterId = await formatStorage([], join(kafka!.placement.dir, 'server.properties'), dataDir);
    assert.match(before, new RegExp(`cluster\\.id=${clusterId}`));
    assert.equal(readFileSync(join(dataDir, 'meta.properties'), 'utf8'), before);
  });

  test('creates topics idempotently, with the partitions asked for', async () => {
    const topics = [
      { name: 'temperature', partitions: 3 },
      { name: 'ANOMALYDETECTION', partitions: 1 },
    ];
    assert.deepEqual(await createTopics({ bootstrap: kafka!.bootstrap }, topics), ['temperature', 'ANOMALYDETECTION']);
    assert.deepEqual(await createTopics({ bootstrap: kafka!.bootstrap }, topics), [], 'nothing new the second time');
    assert.deepEqual(await createTopics({ bootstrap: kafka!.bootstrap }, [...topics, { name: 'ANOMALYDETECTIONWITHFILTER', partitions: 1 }]), ['ANOMALYDETECTIONWITHFILTER']);
    const admin = new Kafka({ brokers: [kafka!.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: ['temperature'] });
      assert.equal(metadata.topics[0]!.partitions.length, 3);
    } finally {
      await admin.disconnect();
    }
  });

  test('stop leaves no broker process behind; a restart keeps the cluster and its topics', async () => {
    assert.ok(isRunning(kafka!.process));
    const clusterId = readFileSync(join(kafka!.placement.dir, 'data', 'meta.properties'), 'utf8');
    await kafka!.stop({ keepFiles: true });
    assert.equal(isRunning(kafka!.process), false);
    kafka = await startTestKafka(kafka!.placement);
    assert.equal(readFileSync(join(kafka.placement.dir, 'data', 'meta.properties'), 'utf8'), clusterId);
    assert.deepEqual(await createTopics({ bootstrap: kafka.bootstrap }, [{ name: 'temperature', partitions: 3 }]), [], 'the topic survived the restart');
    await kafka.stop();
    stopped = true;
    assert.equal(isRunning(kafka.process), false);
  });
});

describe('waiting for Kafka', () => {
  test('fails naming the address when nothing answers', async () => {
    const bootstrap = `127.0.0.1:${await freePort()}`;
    const started = Date.now();
    await assert.rejects(waitForKafka({ bootstrap }, 1500), (err: unknown) => err instanceof EdgeMlError && err.message.includes(bootstrap));
    assert.ok(Date.now() - started < 10_000, 'the wait is bounded');
  });

  test('stops at once when the broker process is gone', async () => {
    const started = Date.now();
    await assert.rejects(waitForKafka({ bootstrap: `127.0.0.1:${await freePort()}` }, 60_000, { alive: () => false, logFile: '/x/kafka.log' }), (err: unknown) => err instanceof EdgeMlError && /exited before it answered/.test(err.message) && err.hint === 'see /x/kafka.log');
    assert.ok(Date.now() - started < 2000);
  });
});

describe('the Kafka classpath', () => {
  test('KAFKA_HOME: the jars of that distribution', async () => {
    const home = tempDir('edge-ml-kafka-home-');
    mkdirSync(join(home, 'libs'));
    for (const jar of ['kafka_2.13-3.9.2.jar', 'kafka-streams-3.9.2.jar', 'README']) writeFileSync(join(home, 'libs', jar), '');
    const jars = await resolveKafkaClasspath('/nonexistent-cache', silent, home);
    assert.deepEqual(jars, [join(home, 'libs', 'kafka-streams-3.9.2.jar'), join(home, 'libs', 'kafka_2.13-3.9.2.jar')]);
  });

  test('KAFKA_HOME that is not a Kafka distribution is an error naming it', async () => {
    const home = tempDir('edge-ml-kafka-home-');
    await assert.rejects(resolveKafkaClasspath('/nonexistent-cache', silent, home), (err: unknown) => err instanceof EdgeMlError && err.message.includes(home));
  });

  test('an unfinished download is not trusted, and a missing mvn is an error naming the fix', async () => {
    const cache = tempDir('edge-ml-cache-');
    // Jars from an interrupted download, without the completion marker.
    const libs = join(cache, 'kafka-3.9.2', 'libs');
    mkdirSync(libs, { recursive: true });
    writeFileSync(join(libs, 'kafka_2.13-3.9.2.jar'), 'truncated');
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await assert.rejects(resolveKafkaClasspath(cache, silent, ''), (err: unknown) => err instanceof EdgeMlError && /mvn/.test(err.message) && /apt-get install maven|KAFKA_HOME/.test(err.hint ?? ''));
    } finally {
      process.env.PATH = path;
    }
    assert.equal(existsSync(join(libs, 'kafka_2.13-3.9.2.jar')), false, 'the partial jars were cleared for a fresh download');
  });
});
