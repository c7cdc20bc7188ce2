import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from './support/node-test.js';
import { FAULT_KINDS } from '../src/generator/faults.js';
import { WINDOW_SIZE } from '../src/generator/signal.js';
import { runCli } from './support/cli.js';
import { freePort } from './support/ports.js';
import { tempDir } from './support/temp-dir.js';

test('--output train.csv writes cars x count labelled windows without any broker', async () => {
  const dir = tempDir('edge-ml-output-');
  const file = join(dir, 'train.csv');
  // A broker URL nobody listens on: --output must not touch it.
  const result = await runCli(dir, ['generate', '--broker', `mqtt://127.0.0.1:${await freePort()}`, '--output', file, '--cars', '4', '--count', '3', '--anomaly-rate', '0.5']);
  assert.equal(result.exitCode, 0, result.stderr);
  const [header, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(header!.split(',').length, 3 + WINDOW_SIZE);
  assert.equal(rows.length, 12);
  const labels = new Set(['normal', ...FAULT_KINDS]);
  for (const row of rows) {
    const fields = row.split(',');
    assert.equal(fields.length, 3 + WINDOW_SIZE);
    assert.ok(labels.has(fields[2]!), fields[2]);
    assert.ok(fields.slice(3).every((f) => Number.isFinite(Number(f))));
  }
  assert.deepEqual([...new Set(rows.map((r) => r.split(',')[0]))].sort(), ['1', '2', '3', '4']);
});

test('--output with --shard writes only the shard\'s cars', async () => {
  const dir = tempDir('edge-ml-output-');
  const file = join(dir, 'part.jsonl');
  const result = await runCli(dir, ['generate', '--output', file, '--cars', '10', '--shard', '2/2', '--count', '1']);
  assert.equal(result.exitCode, 0, result.stderr);
  const cars = readFileSync(file, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { carId: string }).carId);
  assert.deepEqual(cars, ['6', '7', '8', '9', '10']);
});
