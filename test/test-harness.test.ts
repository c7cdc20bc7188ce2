/** The suite's own guards: a stuck test fails by name and the run goes on; waits say why they failed. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { test } from './support/node-test.js';
import { waitFor } from './support/ports.js';

const HANGING = fileURLToPath(new URL('./fixtures/hanging-test.js', import.meta.url));

test('a test that never ends fails under its own name by the per-test timeout, and the next test still runs', async () => {
  const started = Date.now();
  const run = await execa(process.execPath, ['--test', '--test-force-exit', '--test-reporter=tap', HANGING], {
    // Without NODE_TEST_CONTEXT the inner runner prints TAP, not its report to this runner.
    env: { EDGE_ML_TEST_TIMEOUT_MS: '1500', NODE_TEST_CONTEXT: undefined },
    reject: false,
    timeout: 60_000,
  });
  const output = run.stdout;
  assert.equal(run.exitCode, 1, output);
  assert.match(output, /^not ok 1 - never ends$/m);
  assert.match(output, /test timed out after 1500ms/);
  assert.match(output, /^ok 2 - runs after the stuck one$/m);
  assert.ok(Date.now() - started < 30_000, `the file ended by itself (${Date.now() - started} ms): its child process and timer did not hold it`);
});

test('waitFor gives up at once on a program that is not installed, naming it', async () => {
  const started = Date.now();
  await assert.rejects(waitFor('kcat to read a topic', () => execa('edge-ml-no-such-program', ['-C']).then(() => true), 30_000), /cannot wait for kcat to read a topic: .*edge-ml-no-such-program.*ENOENT|ENOENT.*edge-ml-no-such-program/);
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
});

test('waitFor that runs out of time shows the last error its check threw', async () => {
  let attempts = 0;
  const check = (): boolean => {
    attempts += 1;
    throw new Error(`not ready (attempt ${attempts})`);
  };
  await assert.rejects(waitFor('the broker', check, 300, 50), /timed out after 300 ms waiting for the broker; last error: not ready \(attempt \d+\)/);
});

test('every test file takes test and its hooks from support/node-test, so none is unbounded', () => {
  const sources = fileURLToPath(new URL('../../test/', import.meta.url));
  const files = readdirSync(sources, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.test.ts'));
  assert.ok(files.length > 10, `found the test sources in ${sources}`);
  assert.deepEqual(files.filter((f) => /^import .* from 'node:test';$/m.test(readFileSync(join(sources, f), 'utf8'))), []);
});
