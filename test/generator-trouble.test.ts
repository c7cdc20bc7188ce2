import assert from 'node:assert/strict';
import { after, before, test } from './support/node-test.js';
import type { RunSummary } from '../src/generator/run-stats.js';
import { lastJsonLine, runCli, spawnCli } from './support/cli.js';
import { CarSubscriber } from './support/generator.js';
import { startMosquitto, type Mosquitto } from './support/mosquitto.js';
import { freePort, waitFor } from './support/ports.js';
import { tempDir } from './support/temp-dir.js';

let broker: Mosquitto;
const home = tempDir('edge-ml-generate-');
const subscribers: CarSubscriber[] = [];

before(async () => {
  broker = await startMosquitto();
});

after(async () => {
  await Promise.all(subscribers.map((s) => s.close()));
  await broker?.stop();
});

test('broker restarted mid-run: the run finishes, reconnects, and every acked message reaches the subscriber without gaps', async () => {
  const cars = 10;
  const count = 40;
  const subscriber = await CarSubscriber.connect(broker.url, { clientId: 'test-restart-sub', persistent: true });
  subscribers.push(subscriber);
  const run = spawnCli(home, ['generate', '--broker', broker.url, '--json', '--cars', String(cars), '--count', String(count), '--rate', '10', '--qos', '1'], { timeoutMs: 60_000 });
  try {
    await waitFor('the first messages', () => subscriber.received >= 50, 10_000, 20);
    await broker.restart();
  } catch (err) {
    run.kill();
    throw err;
  }
  const result = await run;
  assert.equal(result.exitCode, 0, String(result.stderr));
  const summary = lastJsonLine<RunSummary>(String(result.stdout));
  assert.equal(summary.sent, cars * count);
  assert.equal(summary.acked, summary.sent, JSON.stringify(summary));
  assert.ok(summary.reconnects >= 1, `reconnects ${summary.reconnects}`);

  await waitFor('every acked message at the subscriber', () => subscriber.distinct >= summary.acked, 15_000);
  assert.ok(subscriber.received >= summary.acked);
  for (let carId = 1; carId <= cars; carId++) {
    const eventIds = [...(subscriber.payloads.get(String(carId))?.keys() ?? [])].sort((a, b) => a - b);
    assert.deepEqual(eventIds, Array.from({ length: count }, (_, i) => i + 1), `car ${carId} has no gaps`);
  }
});

test('Ctrl-C stops sending, drains, prints the summary and exits 130', async () => {
  const run = spawnCli(home, ['generate', '--broker', broker.url, '--json', '--cars', '5', '--rate', '20'], { timeoutMs: 30_000 });
  await new Promise((r) => setTimeout(r, 1500));
  run.kill('SIGINT');
  const result = await run;
  assert.equal(result.exitCode, 130, String(result.stderr));
  const summary = lastJsonLine<RunSummary>(String(result.stdout));
  assert.ok(summary.sent > 0, JSON.stringify(summary));
  assert.equal(summary.acked + summary.failed, summary.sent);
});

test('an unreachable broker: exit 1 within 5 s, naming the URL', async () => {
  const url = `mqtt://127.0.0.1:${await freePort()}`;
  const result = await runCli(home, ['generate', '--broker', url, '--cars', '3', '--count', '1']);
  assert.equal(result.exitCode, 1, result.stderr);
  assert.ok(result.elapsedMs < 5000, `took ${result.elapsedMs} ms`);
  assert.match(result.stderr, new RegExp(`cannot reach the MQTT broker at ${url}`));
});

test('--wait waits for a broker that comes up later', async () => {
  const port = await freePort();
  const run = spawnCli(home, ['generate', '--broker', `mqtt://127.0.0.1:${port}`, '--wait', '--json', '--cars', '2', '--count', '3', '--rate', '0'], { timeoutMs: 60_000 });
  let late: Mosquitto | undefined;
  try {
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(run.exitCode, null, 'still waiting');
    late = await startMosquitto({ port });
    const result = await run;
    assert.equal(result.exitCode, 0, String(result.stderr));
    assert.equal(lastJsonLine<RunSummary>(String(result.stdout)).acked, 6);
  } finally {
    run.kill(); // still waiting when the broker failed to start
    await late?.stop();
  }
});

const badFlags: [string[], RegExp][] = [
  [['--cars', '0'], /--cars.*expected a whole number from 1/],
  [['--qos', '3'], /--qos.*expected one of 0, 1, 2/],
  [['--rate', '-1'], /--rate.*expected a number from 0/],
  [['--count', '5', '--duration', '2'], /--duration or --count, not both/],
  [['--shard', '3/2'], /--shard.*1 <= i <= n/],
  [['--cars', '2', '--shard', '1/3'], /--shard 1\/3 of 2 cars has no cars/],
  [['--broker', 'http://localhost:1883'], /--broker: 'http:' is not supported/],
  [['--cars', '10', '--connections', '11'], /--connections 11 is more than the 10 cars/],
  [['--source-address', 'not-an-ip'], /'not-an-ip' is not an IP address/],
  [['--password', 'secret'], /--password needs --username/],
  [['--anomaly-kinds', 'fire'], /unknown anomaly kind 'fire'/],
  [['--output', 'windows.txt'], /must end in .csv or .jsonl/],
];

test('invalid flags exit 2 with the reason', async () => {
  for (const [flags, reason] of badFlags) {
    const result = await runCli(home, ['generate', '--broker', broker.url, '--count', '1', ...flags]);
    assert.equal(result.exitCode, 2, `${flags.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, reason, flags.join(' '));
  }
});
