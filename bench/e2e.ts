/**
 * npm run bench:e2e [-- latency throughput]: figures for issue 5, printed as one JSON document.
 * A local platform (real Kafka, MQTT endpoint, Streams processor with the UDF jar) in a temp state
 * dir on free loopback ports, taken down at the end whatever happens.
 *  latency:    MQTT publish (QoS 1) to arrival in ANOMALYDETECTION at 1,000 msg/s, p50/p99 (target
 *              p99 <= 250 ms); baseline in the same run: publish to arrival in `temperature` (the
 *              MQTT endpoint and Kafka alone), so the ratio shows what scoring adds.
 *  throughput: cars publishing unpaced; the sustained rate events arrive scored in ANOMALYDETECTION
 *              (target >= 10,000 msg/s); baseline in the same run: the rate they arrive in
 *              `temperature`.
 * A benchmark, not a test: the figures depend on the machine and what else runs on it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import mqtt, { type MqttClient } from 'mqtt';
import { CarSource } from '../src/generator/car-source.js';
import { FAULT_KINDS } from '../src/generator/faults.js';
import { LatencyHistogram } from '../src/generator/latency-histogram.js';
import { formatPayload } from '../src/generator/payload.js';
import { PublishRun } from '../src/generator/publish-run.js';
import { parseBrokerUrl, type BrokerAddress } from '../src/generator/broker-address.js';
import { LocalRuntime } from '../src/runtime/local/local-runtime.js';
import { canListen } from '../src/runtime/ports.js';
import type { Reporter } from '../src/runtime/types.js';
import { loadScenario } from '../src/scenario/load.js';
import { carTopic, type Scenario } from '../src/scenario/scenario.js';
import { freePort } from '../test/support/ports.js';

const LATENCY_RATE = 1000;
const LATENCY_CARS = 50;
const LATENCY_SECONDS = 20;
const THROUGHPUT_CARS = 200;
const THROUGHPUT_PER_CAR = 400;
const DRAIN_LIMIT_MS = 60_000;
const PART_LIMIT_MS = 180_000;

const reporter: Reporter = {
  step: async (title, work) => {
    process.stderr.write(`- ${title}\n`);
    return work();
  },
  info: (m) => process.stderr.write(`${m}\n`),
  warn: (m) => process.stderr.write(`warning: ${m}\n`),
};

interface Arrivals {
  /** Called with each record's key and value as it arrives. */
  onRecord(topic: string, key: string, value: string): void;
}

/** One consumer on both topics, from their ends, with a short fetch wait so arrival is measured, not batching. */
async function startConsumer(bootstrap: string, topics: string[], arrivals: Arrivals): Promise<Consumer> {
  const kafka = new Kafka({ clientId: 'edge-ml-bench', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `edge-ml-bench-${Date.now()}`, maxWaitTimeInMs: 10, minBytes: 1 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: false });
  let joined!: () => void;
  const groupJoined = new Promise<void>((resolve) => (joined = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) arrivals.onRecord(batch.topic, m.key?.toString() ?? '', m.value?.toString() ?? '');
    },
  });
  await groupJoined;
  // The group has its partitions; give the fetchers a moment to take their first positions.
  await new Promise((r) => setTimeout(r, 2000));
  return consumer;
}

async function latency(scenario: Scenario, bootstrap: string, broker: BrokerAddress): Promise<Record<string, unknown>> {
  const sentAt = new Map<string, number>();
  const ingest = new LatencyHistogram();
  const scored = new LatencyHistogram();
  let ingestCount = 0;
  let scoredCount = 0;
  const consumer = await startConsumer(bootstrap, [scenario.streams.source, scenario.streams.scores], {
    onRecord(topic, key, value) {
      const now = performance.now();
      if (topic === scenario.streams.source) {
        const id = `${key}|${value.slice(0, value.indexOf(','))}`;
        const t = sentAt.get(id);
        if (t !== undefined) {
          ingest.record(now - t);
          ingestCount++;
        }
      } else {
        const { EVENTID } = JSON.parse(value) as { EVENTID: number };
        const t = sentAt.get(`${key}|${EVENTID}`);
        if (t !== undefined) {
          scored.record(now - t);
          scoredCount++;
        }
      }
    },
  });
  const clients: MqttClient[] = [];
  try {
    for (let car = 1; car <= LATENCY_CARS; car++) {
      clients.push(await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: `edge-ml-bench-latency-${car}` }));
    }
    const perCarIntervalMs = (1000 * LATENCY_CARS) / LATENCY_RATE;
    const perCar = Math.round((LATENCY_RATE * LATENCY_SECONDS) / LATENCY_CARS);
    const carIds = Array.from({ length: LATENCY_CARS }, (_, i) => 900_000 + i + 1);
    await Promise.all(
      clients.map(async (client, i) => {
        const carId = carIds[i]!;
        const source = new CarSource(carId, { seed: 5, anomalyRate: 0.05, anomalyKinds: FAULT_KINDS });
        const topic = carTopic(scenario, carId);
        const start = performance.now() + (i * perCarIntervalMs) / LATENCY_CARS;
        for (let k = 0; k < perCar; k++) {
          const due = start + k * perCarIntervalMs;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          const w = source.next();
          sentAt.set(`${topic}|${w.eventId}`, performance.now());
          void client.publishAsync(topic, formatPayload(w.eventId, w.readings), { qos: 1 });
        }
      }),
    );
    reporter.info(`latency: published ${sentAt.size}; waiting for them in ${scenario.streams.scores}`);
    const deadline = Date.now() + DRAIN_LIMIT_MS;
    while (scoredCount < sentAt.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  } finally {
    // Forced: a publish that is never acknowledged must not hold the bench open.
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await consumer.disconnect();
  }
  const ingestQ = ingest.quantiles();
  const scoredQ = scored.quantiles();
  return {
    rateMsgPerS: LATENCY_RATE,
    messages: sentAt.size,
    publishToScoredMs: { ...scoredQ, arrived: scoredCount },
    baselinePublishToTemperatureMs: { ...ingestQ, arrived: ingestCount },
    p99Ratio: ingestQ.p99 > 0 ? Math.round((scoredQ.p99 / ingestQ.p99) * 100) / 100 : null,
    targetP99Ms: 250,
    meetsTarget: scoredQ.p99 <= 250 && scoredCount === sentAt.size,
  };
}

async function throughput(scenario: Scenario, bootstrap: string, broker: BrokerAddress): Promise<Record<string, unknown>> {
  const total = THROUGHPUT_CARS * THROUGHPUT_PER_CAR;
  let landed = 0;
  let scored = 0;
  let firstAt = 0;
  let landedAllAt = 0;
  let scoredAllAt = 0;
  const carIds = Array.from({ length: THROUGHPUT_CARS }, (_, i) => 800_000 + i + 1);
  const consumer = await startConsumer(bootstrap, [scenario.streams.source, scenario.streams.scores], {
    onRecord(topic) {
      const now = performance.now();
      if (topic === scenario.streams.source) {
        if (++landed === total) landedAllAt = now;
      } else if (++scored === total) scoredAllAt = now;
    },
  });
  try {
    const run = new PublishRun(
      {
        broker,
        carIds,
        topicOf: (carId) => carTopic(scenario, carId),
        clientPrefix: 'edge-ml-bench-tp-',
        source: { seed: 9, anomalyRate: 0.05, anomalyKinds: FAULT_KINDS },
        rate: 0,
        count: THROUGHPUT_PER_CAR,
        qos: 1,
        connections: THROUGHPUT_CARS,
        rampS: 0,
        sourceAddresses: [],
        maxInFlight: 32,
        wait: false,
      },
      { info: () => undefined },
    );
    firstAt = performance.now();
    reporter.info(`throughput: ${THROUGHPUT_CARS} cars publishing ${total} messages unpaced`);
    const summary = await run.run();
    reporter.info(`throughput: ${summary.acked} acked; waiting for them in ${scenario.streams.scores}`);
    const deadline = Date.now() + DRAIN_LIMIT_MS;
    while (scored < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const rate = (count: number, at: number): number | null => (at > 0 ? Math.round(count / ((at - firstAt) / 1000)) : null);
    const scoredRate = rate(total, scoredAllAt);
    const landedRate = rate(total, landedAllAt);
    return {
      messages: total,
      cars: THROUGHPUT_CARS,
      acked: summary.acked,
      scoredMsgPerS: scoredRate,
      baselineLandedInTemperatureMsgPerS: landedRate,
      ratio: scoredRate && landedRate ? Math.round((scoredRate / landedRate) * 100) / 100 : null,
      scored,
      targetMsgPerS: 10_000,
      meetsTarget: scoredRate !== null && scoredRate >= 10_000,
    };
  } finally {
    await consumer.disconnect();
  }
}

/** Every part ends within PART_LIMIT_MS, with an error instead of figures if it must. */
async function bounded<T>(part: string, work: Promise<T>): Promise<T | { error: string }> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<{ error: string }>((resolve) => (timer = setTimeout(() => resolve({ error: `${part} did not finish within ${PART_LIMIT_MS / 1000} s` }), PART_LIMIT_MS)));
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<void> {
  const parts = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['latency', 'throughput'];
  const home = mkdtempSync(join(tmpdir(), 'edge-ml-bench-e2e-'));
  const runtime = new LocalRuntime(home);
  const scenario = loadScenario('connected-cars');
  let kafkaPort: number;
  do kafkaPort = await freePort();
  while (!(await canListen('127.0.0.1', kafkaPort + 1)));
  const results: Record<string, unknown> = { machine: { cpus: cpus().length, loadAvg1m: Math.round(loadavg()[0]! * 100) / 100 } };
  // Killed (timeout, Ctrl-C): still take the platform down.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void runtime.down({ volumes: true }, reporter).finally(() => process.exit(1)));
  }
  try {
    const status = await runtime.up({ scenario, ports: { kafka: kafkaPort, mqtt: await freePort(), ksql: 0, host: '127.0.0.1' }, timeoutS: 300 }, reporter);
    const broker = parseBrokerUrl(status.endpoints!.mqttUrl);
    if (typeof broker === 'string') throw new Error(broker);
    const bootstrap = status.endpoints!.bootstrapServers;
    if (parts.includes('latency')) results.latency = await bounded('latency', latency(scenario, bootstrap, broker));
    if (parts.includes('throughput')) results.throughput = await bounded('throughput', throughput(scenario, bootstrap, broker));
  } finally {
    await runtime.down({ volumes: true }, reporter);
    rmSync(home, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}

await main();
process.exit(0);
