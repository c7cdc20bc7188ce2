import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from './support/node-test.js';
import { fileURLToPath } from 'node:url';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '../../bin/edge-ml');

/** The seed tutorial's sample message (its README's `echo -e "99999,..."`), 210 readings, some without a space after '#'. */
const SEED_SAMPLE =
  '99999,2.10# 2.13# 2.19# 2.28# 2.44# 2.62# 2.80# 3.04# 3.36# 3.69# 3.97# 4.24# 4.53#4.80# 5.02# 5.21# 5.40# 5.57# 5.71# 5.79# 5.86# 5.92# 5.98# 6.02# 6.06# 6.08# 6.14# 6.18# 6.22# 6.27#6.32# 6.35# 6.38# 6.45# 6.49# 6.53# 6.57# 6.64# 6.70# 6.73# 6.78# 6.83# 6.88# 6.92# 6.94# 6.98# 7.01#7.03# 7.05# 7.06# 7.07# 7.08# 7.06# 7.04# 7.03# 6.99# 6.94# 6.88# 6.83# 6.77# 6.69# 6.60# 6.53# 6.45#6.36# 6.27# 6.19# 6.11# 6.03# 5.94# 5.88# 5.81# 5.75# 5.68# 5.62# 5.61# 5.54# 5.49# 5.45# 5.42# 5.38#5.34# 5.31# 5.30# 5.29# 5.26# 5.23# 5.23# 5.22# 5.20# 5.19# 5.18# 5.19# 5.17# 5.15# 5.14# 5.17# 5.16#5.15# 5.15# 5.15# 5.14# 5.14# 5.14# 5.15# 5.14# 5.14# 5.13# 5.15# 5.15# 5.15# 5.14# 5.16# 5.15# 5.15#5.14# 5.14# 5.15# 5.15# 5.14# 5.13# 5.14# 5.14# 5.11# 5.12# 5.12# 5.12# 5.09# 5.09# 5.09# 5.10# 5.08# 5.08# 5.08# 5.08# 5.06# 5.05# 5.06# 5.07# 5.05# 5.03# 5.03# 5.04# 5.03# 5.01# 5.01# 5.02# 5.01# 5.01#5.00# 5.00# 5.02# 5.01# 4.98# 5.00# 5.00# 5.00# 4.99# 5.00# 5.01# 5.02# 5.01# 5.03# 5.03# 5.02# 5.02#5.04# 5.04# 5.04# 5.02# 5.02# 5.01# 4.99# 4.98# 4.96# 4.96# 4.96# 4.94# 4.93# 4.93# 4.93# 4.93# 4.93# 5.02# 5.27# 5.80# 5.94# 5.58# 5.39# 5.32# 5.25# 5.21# 5.13# 4.97# 4.71# 4.39# 4.05# 3.69# 3.32# 3.05#2.99# 2.74# 2.61# 2.47# 2.35# 2.26# 2.20# 2.15# 2.10# 2.08';

function score(stdin: string, env: NodeJS.ProcessEnv = process.env): { status: number | null; lines: string[]; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, 'model', 'score'], { input: stdin, encoding: 'utf8', env });
  return { status: run.status, lines: run.stdout.split('\n').filter(Boolean), stderr: run.stderr };
}

test('model score prints one finite score per payload and null for what it cannot score', () => {
  const readings = SEED_SAMPLE.slice(SEED_SAMPLE.indexOf(',') + 1);
  const run = score([SEED_SAMPLE, `7,${readings.replaceAll('# ', '#')}`, '8,1.0# 2.0# 3.0', `9,${readings.replace('2.13', 'hot')}`, 'no comma'].join('\n'));
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.lines.length, 5);
  const [seed, unspaced, ...bad] = run.lines;
  assert.ok(Number.isFinite(Number(seed)) && Number(seed) > 0, `seed sample scored ${seed}`);
  assert.equal(unspaced, seed, 'spaces after # do not matter');
  assert.deepEqual(bad, ['null', 'null', 'null']);
});

test('model score without java on PATH says so and how to fix it', () => {
  const run = score(`${SEED_SAMPLE}\n`, { ...process.env, PATH: '/nonexistent' });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /no `java` on PATH/);
  assert.match(run.stderr, /hint: install a Java/);
});
