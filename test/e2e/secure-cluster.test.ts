/**
 * The secured 3-broker cluster of test/support/secure-kafka.ts, proven with real peers: kafkajs
 * (PLAIN and SCRAM-SHA-512 over TLS), kcat with librdkafka-style files, and Kafka's own Java admin
 * client with Java-style files. One cluster for the whole file.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import type { Kafka, KafkaConfig } from 'kafkajs';
import { createKafka } from '../../src/kafka/kafka-client.js';
import type { KafkaClientConfig } from '../../src/kafka/client-config.js';
import { resolveKafkaClasspath } from '../../src/runtime/local/kafka-jars.js';
import { JAVA_TOOL_OPTIONS } from '../../src/runtime/local/kafka-java.js';
import type { Reporter } from '../../src/runtime/types.js';
import { testJarCache } from '../support/kafka.js';
import { after, before, describe, test } from '../support/node-test.js';
import { waitFor } from '../support/ports.js';
import { makeCa } from '../support/pki.js';
import { kafkajsConfig, startSecureCluster, type SecureCluster } from '../support/secure-kafka.js';
import { tempDir } from '../support/temp-dir.js';

const TOPIC = 'secured';
const silent: Reporter = { step: (_title, work) => work(), info: () => undefined, warn: () => undefined };

describe('a secured 3-broker Kafka cluster (SASL_SSL, PLAIN and SCRAM-SHA-512)', () => {
  let cluster: SecureCluster;

  before(async () => {
    cluster = await startSecureCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  const config = (user: 'plain' | 'scram', change: Partial<KafkaClientConfig> = {}): KafkaClientConfig => ({
    ...kafkajsConfig(cluster.caFile, user === 'plain' ? 'plain' : 'scram-sha-512', cluster[user]),
    ...change,
  });
  const kafka = (config: KafkaClientConfig, tuning: Pick<KafkaConfig, 'retry'> = {}): Kafka =>
    createKafka({ clientId: 'edge-ml-secure-test', bootstrap: cluster.bootstrap, config, connectionTimeout: 3000, requestTimeout: 15_000, ...tuning });

  async function produce(user: 'plain' | 'scram', keys: string[]): Promise<void> {
    // Generous retries: right after a broker is killed its partitions wait for a new leader.
    const producer = kafka(config(user), { retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 3000 } }).producer();
    await producer.connect();
    try {
      await producer.send({ topic: TOPIC, acks: -1, messages: keys.map((key) => ({ key, value: `value of ${key}` })) });
    } finally {
      await producer.disconnect();
    }
  }

  async function kcatRead(configFile: string): Promise<string[]> {
    const { stdout } = await execa('kcat', ['-F', configFile, '-C', '-t', TOPIC, '-o', 'beginning', '-e', '-J', '-q'], { timeout: 60_000 });
    return stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => (JSON.parse(line) as { key: string }).key)
      .sort();
  }

  /** kcat -L (metadata) with a bounded wait; resolves with its exit code and stderr. */
  async function kcatMetadata(configFile: string): Promise<{ exitCode: number | undefined; stderr: string }> {
    const result = await execa('kcat', ['-F', configFile, '-L', '-m', '3'], { timeout: 30_000, reject: false });
    return { exitCode: result.exitCode, stderr: result.stderr };
  }

  test('kafkajs with PLAIN over TLS creates a topic with 3 replicas and produces to it with acks=all', async () => {
    const admin = kafka(config('plain')).admin();
    await admin.connect();
    try {
      assert.equal((await admin.describeCluster()).brokers.length, 3);
      // Not waitForLeaders: kafkajs retries only LEADER_NOT_AVAILABLE there, and a broker that has not
      // seen the new topic yet answers UNKNOWN_TOPIC_OR_PARTITION.
      assert.equal(await admin.createTopics({ waitForLeaders: false, topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 3 }] }), true);
      await waitFor('the topic with a leader and 3 in-sync replicas per partition', async () => {
        const [metadata] = (await admin.fetchTopicMetadata({ topics: [TOPIC] })).topics;
        return metadata!.partitions.length === 3 && metadata!.partitions.every((p) => p.leader >= 0 && p.replicas.length === 3 && p.isr.length === 3);
      });
      // The broker asked may not know the new topic yet either: ask until one does.
      let topicConfig: Awaited<ReturnType<typeof admin.describeConfigs>>['resources'][number] | undefined;
      await waitFor('the topic configuration', async () => {
        try {
          [topicConfig] = (await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: TOPIC }] })).resources;
          return true;
        } catch {
          return false;
        }
      });
      assert.equal(topicConfig!.configEntries.find((e) => e.configName === 'min.insync.replicas')?.configValue, '2');
    } finally {
      await admin.disconnect();
    }
    await produce('plain', ['plain-1', 'plain-2', 'plain-3', 'plain-4', 'plain-5']);
  });

  test('kafkajs with SCRAM-SHA-512 over TLS produces with acks=all and consumes every record back', async () => {
    await produce('scram', ['scram-1', 'scram-2', 'scram-3', 'scram-4', 'scram-5']);
    const consumer = kafka(config('scram')).consumer({ groupId: 'edge-ml-secure-test' });
    const seen: string[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.key!.toString()) });
      await waitFor('10 records consumed', () => seen.length >= 10, 60_000);
    } finally {
      await consumer.disconnect();
    }
    assert.deepEqual(seen.sort(), ['plain-1', 'plain-2', 'plain-3', 'plain-4', 'plain-5', 'scram-1', 'scram-2', 'scram-3', 'scram-4', 'scram-5']);
  });

  test('kcat reads the records back with librdkafka-style files, PLAIN and SCRAM-SHA-512', async () => {
    const [plain, scram] = await Promise.all([kcatRead(cluster.librdkafkaClientConfig('plain')), kcatRead(cluster.librdkafkaClientConfig('scram'))]);
    const expected = ['plain-1', 'plain-2', 'plain-3', 'plain-4', 'plain-5', 'scram-1', 'scram-2', 'scram-3', 'scram-4', 'scram-5'];
    assert.deepEqual(plain, expected);
    assert.deepEqual(scram, expected);
  });

  test("the Java-style files connect Kafka's own Java admin client (PEM truststore, PLAIN and SCRAM jaas config)", async () => {
    const classpath = (await resolveKafkaClasspath(testJarCache(), silent)).join(delimiter);
    const configCommand = (file: string, ...args: string[]) =>
      execa('java', [...JAVA_TOOL_OPTIONS, '-cp', classpath, 'kafka.admin.ConfigCommand', '--bootstrap-server', cluster.bootstrap, '--command-config', file, '--describe', ...args], { timeout: 60_000 });
    const [scram, plain] = await Promise.all([
      configCommand(cluster.javaClientConfig('scram'), '--entity-type', 'users', '--entity-name', cluster.scram.username),
      configCommand(cluster.javaClientConfig('plain'), '--entity-type', 'topics', '--entity-name', TOPIC),
    ]);
    assert.match(scram.stdout, new RegExp(`SCRAM credential configs for user-principal '${cluster.scram.username}' are SCRAM-SHA-512=iterations=\\d+`));
    assert.match(plain.stdout, new RegExp(`Dynamic configs for topic ${TOPIC} are:`));
  });

  test('a wrong password is refused with an authentication error (kafkajs and kcat, both mechanisms)', async () => {
    for (const user of ['plain', 'scram'] as const) {
      const admin = kafka(config(user, { sasl: { ...config(user).sasl!, password: 'not-the-password' } as KafkaClientConfig['sasl'] }), { retry: { retries: 0 } }).admin();
      await assert.rejects(admin.connect(), (err: Error) => {
        assert.equal(err.name, 'KafkaJSSASLAuthenticationError', `${user}: ${err.name}: ${err.message}`);
        assert.match(err.message, /authentication failed/i);
        return true;
      });
      await admin.disconnect().catch(() => undefined);
    }
    const kcat = await kcatMetadata(cluster.librdkafkaClientConfig('scram', { 'sasl.password': 'not-the-password' }));
    assert.notEqual(kcat.exitCode, 0);
    assert.match(kcat.stderr, /SASL authentication error: Authentication failed .*invalid credentials with SASL mechanism SCRAM-SHA-512/);
  });

  test('a client trusting a different CA is refused by TLS (kafkajs and kcat)', async () => {
    const otherCa = (await makeCa(tempDir('edge-ml-other-ca-'), 'other-ca')).certFile;
    const admin = kafka(config('scram', kafkajsConfig(otherCa, 'scram-sha-512', cluster.scram)), { retry: { retries: 0 } }).admin();
    await assert.rejects(admin.connect(), (err: Error) => {
      assert.match(err.message, /self[- ]signed certificate|unable to (get|verify)|certificate/i, `${err.name}: ${err.message}`);
      assert.doesNotMatch(err.name, /SASL/);
      return true;
    });
    await admin.disconnect().catch(() => undefined);
    const kcat = await kcatMetadata(cluster.librdkafkaClientConfig('plain', { 'ssl.ca.location': otherCa }));
    assert.notEqual(kcat.exitCode, 0);
    assert.match(kcat.stderr, /SSL handshake failed: .*certificate verify failed/);
  });

  test('with one broker SIGKILLed acks=all still succeeds (min ISR 2); restarted, the cluster has 3 brokers again', async () => {
    const admin = kafka(config('scram'), { retry: { retries: 5 } }).admin();
    await admin.connect();
    try {
      // The leader of partition 0: its partitions must move to the others.
      const [metadata] = (await admin.fetchTopicMetadata({ topics: [TOPIC] })).topics;
      const victim = metadata!.partitions.find((p) => p.partitionId === 0)!.leader;
      const pid = cluster.brokers.find((b) => b.id === victim)!.pid;
      await cluster.killBroker(victim);
      assert.throws(() => process.kill(pid, 0), 'the killed broker process is gone');

      await produce('scram', ['during-1', 'during-2', 'during-3']);
      await produce('plain', ['during-4', 'during-5']);

      await cluster.restartBroker(victim);
      assert.notEqual(cluster.brokers.find((b) => b.id === victim)!.pid, pid);
      assert.equal((await admin.describeCluster()).brokers.length, 3);
      await waitFor(
        'every partition back to 3 in-sync replicas',
        async () => (await admin.fetchTopicMetadata({ topics: [TOPIC] })).topics[0]!.partitions.every((p) => p.isr.length === 3),
        60_000,
        500,
      );
    } finally {
      await admin.disconnect();
    }
    const keys = await kcatRead(cluster.librdkafkaClientConfig('scram'));
    assert.deepEqual(keys.filter((k) => k.startsWith('during-')), ['during-1', 'during-2', 'during-3', 'during-4', 'during-5']);
    assert.equal(keys.length, 15);
  });

  test('stop ends every broker process, removes the files and may be called again', async () => {
    const pids = cluster.brokers.map((b) => b.pid);
    await cluster.stop();
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), `broker pid ${pid} is gone`);
    assert.equal(existsSync(join(cluster.dir, 'node-1')), false);
    await cluster.stop();
  });
});
