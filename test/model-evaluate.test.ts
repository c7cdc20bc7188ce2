import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from './support/node-test.js';
import { fileURLToPath } from 'node:url';
import { parsePayload } from '../src/generator/payload.js';
import { evaluateScores, labelledPayloads } from '../src/model/evaluate.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '../../bin/edge-ml');

test('labelled payloads are seed-format windows with the scenario rate of faults', () => {
  const windows = labelledPayloads({ windows: 2000, seed: 11, cars: 10, anomalyRate: 0.05 });
  assert.equal(windows.length, 2000);
  for (const w of windows.slice(0, 20)) assert.equal(typeof parsePayload(w.payload), 'object', w.payload.slice(0, 40));
  const faults = windows.filter((w) => w.fault).length;
  assert.ok(faults > 60 && faults < 140, `${faults} faults in 2000 windows at rate 0.05`);
  assert.deepEqual(labelledPayloads({ windows: 5, seed: 11, cars: 10, anomalyRate: 0.05 }), windows.slice(0, 5), 'same seed, same windows');
});

test('recall, precision and per-kind recall count flags above the threshold', () => {
  const windows = [
    { payload: 'a' },
    { payload: 'b' },
    { payload: 'c', fault: 'spike' as const },
    { payload: 'd', fault: 'spike' as const },
    { payload: 'e', fault: 'flatline' as const },
  ];
  const report = evaluateScores(windows, [0.5, 2, 3, 1, null], 1);
  assert.equal(report.recall, 0.3333);
  assert.equal(report.precision, 0.5);
  assert.deepEqual(report.perKind, { spike: 0.5, shift: null, flatline: 0, noise: null });
  assert.equal(report.unscored, 1);
  assert.equal(report.anomalies, 3);
});

test('model eval scores fresh windows with the jar and reports JSON last', () => {
  const run = spawnSync(process.execPath, [CLI, 'model', 'eval', '--windows', '2000', '--seed', '31337', '--json'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { recall: number; precision: number; threshold: number; windows: number; perKind: Record<string, number> };
  assert.equal(report.windows, 2000);
  assert.deepEqual(Object.keys(report.perKind), ['spike', 'shift', 'flatline', 'noise']);
  // ~100 faults: looser than the 10,000-window acceptance figures (0.95) to stay clear of sampling noise.
  assert.ok(report.recall >= 0.9, `recall ${report.recall}`);
  assert.ok(report.precision >= 0.9, `precision ${report.precision}`);
});
