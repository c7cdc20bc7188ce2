import assert from 'node:assert/strict';
import { after, before, test } from '../support/node-test.js';
import { execa } from 'execa';
import mqtt from 'mqtt';
import { createTopics } from '../../src/kafka/admin.js';
import { startMqttEndpoint, type MqttEndpoint } from '../../src/runtime/local/mqtt-endpoint.js';
import { parseTopicRegexList, type TopicMapping } from '../../src/scenario/scenario.js';
import { startTestKafka, type TestKafka } from '../support/kafka.js';
import { readTopicWithKcat } from '../support/kcat.js';
import { freePort } from '../support/ports.js';

// The seed tutorial's sample message shape: eventId, then 210 '#'-separated readings.
const seedPayload = `99999,${Array.from({ length: 210 }, (_, i) => (2.1 + 5 * Math.sin((i / 209) * Math.PI)).toFixed(2)).join('# ')}`;

let kafka: TestKafka;
let endpoint: MqttEndpoint;
let port: number;
const log: string[] = [];

before(async () => {
  kafka = await startTestKafka();
  // 'bursts' has one partition, so one batch carries a whole burst; 'placement' is written by kcat.
  await createTopics({ bootstrap: kafka.bootstrap }, [
    { name: 'temperature', partitions: 3 },
    { name: 'bursts', partitions: 1 },
    { name: 'placement', partitions: 3 },
  ]);
  port = await freePort();
  endpoint = await startMqttEndpoint({
    host: '127.0.0.1',
    port,
    bootstrapServers: kafka.bootstrap,
    topicMappings: parseTopicRegexList('bursts:car/big-burst-.*,temperature:.*temperature') as TopicMapping[],
    maxMessageBytes: 65536,
    log: (line) => log.push(line),
  });
});

after(async () => {
  await endpoint?.close();
  await kafka?.stop();
});

function mosquittoPub(topic: string, args: string[]) {
  return execa('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), '-t', topic, '-q', '1', ...args], { reject: false, timeout: 20_000 });
}

test('a QoS 1 publish in the seed format lands in Kafka with the MQTT topic as key and the payload as value', async () => {
  const pub = await mosquittoPub('car/engine/temperature', ['-m', seedPayload]);
  assert.equal(pub.exitCode, 0, pub.stderr);
  const records = await readTopicWithKcat(kafka.bootstrap, 'temperature');
  const mine = records.filter((r) => r.key === 'car/engine/temperature');
  assert.equal(mine.length, 1);
  assert.equal(mine[0]!.payload, seedPayload);
});

test('a publish to a topic no mapping matches is refused (connection closed), counted and logged, and nothing is stored', async () => {
  const before = endpoint.stats().refusedUnmapped;
  const pub = await mosquittoPub('car/7/engine/rpm', ['-m', '1,2.0']);
  assert.notEqual(pub.exitCode, 0, 'a QoS 1 publisher learns that its message was not taken');
  assert.equal(endpoint.stats().refusedUnmapped, before + 1);
  assert.ok(log.some((l) => l.includes("'car/7/engine/rpm'") && l.includes('no topic.regex.list entry')));
  const records = await readTopicWithKcat(kafka.bootstrap, 'temperature');
  assert.equal(records.filter((r) => r.key === 'car/7/engine/rpm').length, 0);
});

test('an oversize payload (1 MB) is refused and counted, and the next message is stored', async () => {
  const before = endpoint.stats().refusedOversize;
  const oversize = await execa('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), '-t', 'car/8/engine/temperature', '-q', '1', '-s'], {
    input: Buffer.alloc(1024 * 1024, 0x31),
    reject: false,
    timeout: 20_000,
  });
  assert.notEqual(oversize.exitCode, 0);
  assert.equal(endpoint.stats().refusedOversize, before + 1);
  const next = await mosquittoPub('car/8/engine/temperature', ['-m', seedPayload.replace('99999', '2')]);
  assert.equal(next.exitCode, 0, next.stderr);
  const stored = (await readTopicWithKcat(kafka.bootstrap, 'temperature')).filter((r) => r.key === 'car/8/engine/temperature');
  assert.deepEqual(stored.map((r) => r.payload?.slice(0, 2)), ['2,']);
});

test("each car's records go to the partition Kafka's Java producer picks for its key (kcat's murmur2_random as the reference), every time", async () => {
  const topics = Array.from({ length: 24 }, (_, c) => `car/placed-${c}/engine/temperature`);
  for (const round of [1, 2]) {
    const pubs = await Promise.all(topics.map((topic) => mosquittoPub(topic, ['-m', `${round},1.00# 2.00`])));
    pubs.forEach((pub) => assert.equal(pub.exitCode, 0, pub.stderr));
  }
  await execa('kcat', ['-P', '-b', kafka.bootstrap, '-t', 'placement', '-K', '|', '-X', 'partitioner=murmur2_random'], { input: topics.map((t) => `${t}|x`).join('\n') });
  const reference = new Map((await readTopicWithKcat(kafka.bootstrap, 'placement')).map((r) => [r.key, r.partition]));
  const placed = (await readTopicWithKcat(kafka.bootstrap, 'temperature')).filter((r) => r.key?.startsWith('car/placed-'));
  assert.equal(placed.length, topics.length * 2);
  assert.ok(new Set(placed.map((r) => r.partition)).size > 1, 'the keys spread over the partitions');
  for (const r of placed) assert.equal(r.partition, reference.get(r.key), `${r.key} (round ${r.payload?.[0]})`);
});

test('an MQTT 5 client is refused with "unacceptable protocol version", as by the 3.1.1-only MQTT Proxy', async () => {
  const before = endpoint.stats().refusedProtocol;
  const pub = await mosquittoPub('car/9/engine/temperature', ['-V', 'mqttv5', '-m', seedPayload]);
  assert.notEqual(pub.exitCode, 0);
  assert.match(pub.stderr, /protocol version/i);
  assert.equal(endpoint.stats().refusedProtocol, before + 1);
});

test('every QoS 1 publish acknowledged to the client is in Kafka, in order per car', async () => {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4, clientId: 'edge-ml-test-burst' });
  const cars = 20;
  const perCar = 50;
  try {
    const acks: Promise<unknown>[] = [];
    for (let e = 1; e <= perCar; e++) {
      for (let c = 1; c <= cars; c++) acks.push(client.publishAsync(`car/burst-${c}/engine/temperature`, `${e},1.00# 2.00`, { qos: 1 }));
    }
    await Promise.all(acks);
  } finally {
    await client.endAsync(true);
  }
  const records = (await readTopicWithKcat(kafka.bootstrap, 'temperature')).filter((r) => r.key?.startsWith('car/burst-'));
  assert.equal(records.length, cars * perCar);
  for (let c = 1; c <= cars; c++) {
    const ids = records.filter((r) => r.key === `car/burst-${c}/engine/temperature`).sort((a, b) => a.offset - b.offset).map((r) => Number(r.payload!.split(',')[0]));
    assert.deepEqual(ids, Array.from({ length: perCar }, (_, i) => i + 1), `car burst-${c} in order`);
  }
});

test('a burst of full-size car messages, megabytes in all, is stored without a Kafka error: batches stay under the broker request size', async () => {
  const kafkaErrorsBefore = endpoint.stats().kafkaErrors;
  // Many cars at once, as in a fleet: the endpoint takes one publish at a time per connection.
  const connects = Array.from({ length: 300 }, (_, c) => mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4, clientId: `edge-ml-test-big-burst-${c}` }));
  const connected = await Promise.allSettled(connects);
  const clients = connected.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : []));
  const perClient = 10; // 3,000 messages of ~1.3 kB: ~4 MB, far over Kafka's 1 MB message.max.bytes as one batch
  const messages = 300 * perClient;
  try {
    assert.equal(clients.length, 300, `every client connects: ${connected.find((c) => c.status === 'rejected')?.reason}`);
    await Promise.all(clients.flatMap((client, c) => Array.from({ length: perClient }, () => client.publishAsync(`car/big-burst-${c}/engine/temperature`, seedPayload, { qos: 1 }))));
  } finally {
    // Ended whatever happened: a client left open reconnects for ever and keeps the test process alive.
    await Promise.all(clients.map((client) => client.endAsync(true)));
  }
  assert.equal(endpoint.stats().kafkaErrors, kafkaErrorsBefore);
  assert.equal((await readTopicWithKcat(kafka.bootstrap, 'bursts')).length, messages);
});
