import assert from 'node:assert/strict';
import { test } from './support/node-test.js';
import { parseBrokerUrl } from '../src/generator/broker-address.js';
import { clientIdFor, groupCars, parseShard, shardCarIds } from '../src/generator/fleet.js';
import { LatencyHistogram } from '../src/generator/latency-histogram.js';
import { Pacer } from '../src/generator/pacer.js';

test('shards together cover every car exactly once, in near-equal blocks', () => {
  for (const [cars, shards] of [[10, 3], [7, 7], [100_001, 4], [3, 5]] as const) {
    const parts = Array.from({ length: shards }, (_, i) => shardCarIds(cars, { index: i + 1, count: shards }));
    assert.deepEqual(parts.flat(), Array.from({ length: cars }, (_, i) => i + 1), `${cars} cars / ${shards}`);
    const sizes = parts.map((p) => p.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, sizes.join(','));
  }
  assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
  assert.equal(typeof parseShard('0/4'), 'string');
  assert.equal(typeof parseShard('5/4'), 'string');
  assert.equal(typeof parseShard('two'), 'string');
});

test('cars are split over connections in contiguous non-empty groups with readable client ids', () => {
  const groups = groupCars([1, 2, 3, 4, 5, 6, 7], 3);
  assert.deepEqual(groups.flat(), [1, 2, 3, 4, 5, 6, 7]);
  assert.ok(groups.every((g) => g.length >= 2));
  assert.equal(clientIdFor('edge-ml-car-', [7]), 'edge-ml-car-7');
  assert.equal(clientIdFor('edge-ml-car-', [1, 2, 3]), 'edge-ml-car-1-3');
});

test('the pacer spreads a connection\'s messages evenly over its cars\' rate', () => {
  const pacer = new Pacer(2, 5, 1000, 30); // 5 cars x 2 msg/s = one message every 100 ms
  assert.equal(pacer.dueBy(999), 0);
  assert.equal(pacer.dueBy(1000), 1);
  assert.equal(pacer.dueBy(1099), 1);
  assert.equal(pacer.dueBy(1100), 2);
  assert.equal(pacer.dueBy(1000 + 60_000), 30, 'never more than the total');
  assert.equal(pacer.timeOf(3), 1300);
  assert.equal(new Pacer(0, 5, 1000, 30).dueBy(0), 30, 'rate 0: everything is due at once');
});

test('latency quantiles are within 5% of the exact ones', () => {
  const histogram = new LatencyHistogram();
  const values = Array.from({ length: 10_000 }, (_, i) => 0.05 + (i % 1000) * 0.37);
  for (const v of values) histogram.record(v);
  const sorted = [...values].sort((a, b) => a - b);
  for (const q of [0.5, 0.95, 0.99]) {
    const exact = sorted[Math.ceil(q * sorted.length) - 1]!;
    const estimate = histogram.quantile(q);
    assert.ok(estimate >= exact && estimate <= exact * 1.05, `q${q}: ${estimate} vs ${exact}`);
  }
  histogram.reset();
  assert.equal(histogram.quantile(0.5), 0);
});

test('broker URLs: mqtt and mqtts with default ports; other schemes are refused with a reason', () => {
  assert.deepEqual(parseBrokerUrl('mqtt://localhost'), { url: 'mqtt://localhost', tls: false, host: 'localhost', port: 1883 });
  assert.deepEqual(parseBrokerUrl('mqtts://[::1]:9999'), { url: 'mqtts://[::1]:9999', tls: true, host: '::1', port: 9999 });
  assert.match(String(parseBrokerUrl('ws://localhost:8080')), /not supported/);
  assert.match(String(parseBrokerUrl('localhost:1883')), /not supported|not a URL/);
});
