import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from './support/node-test.js';
import { CarSource } from '../src/generator/car-source.js';
import { FAULT_KINDS } from '../src/generator/faults.js';
import { formatPayload, parsePayload } from '../src/generator/payload.js';
import { NORMAL_MAX, NORMAL_MIN, WINDOW_SIZE } from '../src/generator/signal.js';
import type { RunSummary } from '../src/generator/run-stats.js';
import { lastJsonLine, runCli } from './support/cli.js';
import { CarSubscriber } from './support/generator.js';
import { startMosquitto, type Mosquitto } from './support/mosquitto.js';
import { waitFor } from './support/ports.js';
import { tempDir } from './support/temp-dir.js';

let broker: Mosquitto;
const dir = tempDir('edge-ml-generate-');

before(async () => {
  broker = await startMosquitto();
});

after(async () => {
  await broker?.stop();
});

/** Runs `generate` against the test broker and returns what a subscriber received. */
async function publishAndCollect(args: readonly string[], expected: number): Promise<{ summary: RunSummary; subscriber: CarSubscriber; stderr: string }> {
  const subscriber = await CarSubscriber.connect(broker.url, { clientId: `test-sub-${Math.random().toString(36).slice(2)}` });
  try {
    const result = await runCli(dir, ['generate', '--broker', broker.url, '--json', ...args]);
    assert.equal(result.exitCode, 0, result.stderr);
    await waitFor(`${expected} messages at the subscriber`, () => subscriber.received >= expected, 10_000);
    // Anything beyond the expected count would arrive right behind it.
    await new Promise((r) => setTimeout(r, 300));
    return { summary: lastJsonLine<RunSummary>(result.stdout), subscriber, stderr: result.stderr };
  } finally {
    await subscriber.close();
  }
}

test('50 cars x 20 messages at QoS 1: exactly 1000 well-formed messages arrive, all acked, labels match the injected faults', async () => {
  const labelsFile = join(dir, 'labels.jsonl');
  const seed = 7;
  const { summary, subscriber } = await publishAndCollect(
    ['--cars', '50', '--count', '20', '--rate', '0', '--qos', '1', '--seed', String(seed), '--anomaly-rate', '0.05', '--labels', labelsFile],
    1000,
  );
  assert.deepEqual(subscriber.problems, []);
  assert.equal(subscriber.received, 1000);
  assert.equal(summary.cars, 50);
  assert.equal(summary.connected, 50);
  assert.equal(summary.sent, 1000);
  assert.equal(summary.acked, summary.sent);
  assert.equal(summary.failed, 0);
  assert.ok(summary.latencyMs.p99 >= summary.latencyMs.p50 && summary.latencyMs.p50 > 0, JSON.stringify(summary.latencyMs));

  const labels = readFileSync(labelsFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { carId: string; eventId: number; kind: string });
  const labelled = new Set(labels.map((l) => `${l.carId}/${l.eventId}`));
  assert.equal(labels.length, summary.anomaliesInjected);
  assert.ok(labels.length > 0, 'at the default anomaly rate 1000 messages carry some faults');
  for (const label of labels) assert.ok((FAULT_KINDS as readonly string[]).includes(label.kind), label.kind);

  // Regenerate every car from the seed: the payloads must match byte for byte and the labels must
  // be exactly the windows that carry a fault.
  const expectedLabels = new Set<string>();
  for (let carId = 1; carId <= 50; carId++) {
    const byEvent = subscriber.payloads.get(String(carId));
    assert.deepEqual([...(byEvent?.keys() ?? [])].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1), `car ${carId} event ids`);
    const source = new CarSource(carId, { seed, anomalyRate: 0.05, anomalyKinds: FAULT_KINDS });
    for (let eventId = 1; eventId <= 20; eventId++) {
      const window = source.next();
      if (window.fault) expectedLabels.add(`${carId}/${eventId}`);
      const payload = byEvent!.get(eventId)!;
      assert.equal(payload, formatPayload(window.eventId, window.readings), `car ${carId} event ${eventId}`);
      const parsed = parsePayload(payload);
      assert.ok(typeof parsed !== 'string' && Number.isInteger(parsed.eventId) && parsed.readings.length === WINDOW_SIZE);
      if (!labelled.has(`${carId}/${eventId}`)) {
        const outside = parsed.readings.filter((v) => !Number.isFinite(v) || v < NORMAL_MIN || v > NORMAL_MAX);
        assert.deepEqual(outside, [], `normal window car ${carId} event ${eventId}`);
      }
    }
  }
  assert.deepEqual([...labelled].sort(), [...expectedLabels].sort());
});

test('the same seed gives the same payloads however cars share connections; another seed does not', async () => {
  const cars = ['--cars', '6', '--count', '5', '--rate', '0'];
  const a = await publishAndCollect([...cars, '--seed', '11'], 30);
  const b = await publishAndCollect([...cars, '--seed', '11', '--connections', '2', '--client-prefix', 'other-'], 30);
  const c = await publishAndCollect([...cars, '--seed', '12'], 30);
  const flat = (s: CarSubscriber): string[] =>
    [...s.payloads.entries()].flatMap(([car, byEvent]) => [...byEvent.entries()].map(([eventId, payload]) => `${car}/${eventId}:${payload}`)).sort();
  assert.equal(flat(a.subscriber).length, 30);
  assert.deepEqual(flat(b.subscriber), flat(a.subscriber));
  assert.notDeepEqual(flat(c.subscriber), flat(a.subscriber));
});

test('--rate paces each car: 4 cars at 10 msg/s for 1.5 s send about 60 messages', async () => {
  const { summary } = await publishAndCollect(['--cars', '4', '--rate', '10', '--duration', '1.5'], 56);
  assert.ok(summary.sent >= 56 && summary.sent <= 64, `sent ${summary.sent}`);
  assert.equal(summary.acked, summary.sent);
  assert.ok(summary.durationS >= 1.5 && summary.durationS < 3, `durationS ${summary.durationS}`);
});
