/**
 * Which Compose compose.test.ts runs: hosted Ubuntu runners have only Compose v2 (`docker compose`),
 * Debian has docker-compose 1.29. The file is run here as CI runs it, with a PATH that holds one or
 * neither of them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from './support/node-test.js';
import { tempDir } from './support/temp-dir.js';

const COMPOSE_TEST = fileURLToPath(new URL('./compose.test.js', import.meta.url));

/** Runs compose.test.js as CI does (CI=true), with only `bin` on the PATH; TAP, which Node 23+ no longer picks by itself when not on a terminal. */
function runComposeTests(bin: string): { status: number | null; output: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', PATH: bin };
  delete env.NODE_TEST_CONTEXT; // a test file of its own, not a child of this runner
  const result = spawnSync(process.execPath, ['--test-reporter=tap', COMPOSE_TEST], { env, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const v1 = spawnSync('sh', ['-c', 'command -v docker-compose'], { encoding: 'utf8' }).stdout.trim();

test('under CI with only Compose v2 (`docker compose`) on the PATH, the compose file checks run and pass', { skip: v1 ? false : 'needs docker-compose (v1) to stand in for Compose v2' }, () => {
  const bin = tempDir('edge-ml-compose-cli-');
  // A `docker` whose compose v2 plugin answers; it renders through docker-compose v1, which gives
  // the same answers to what compose.test.ts checks.
  writeFileSync(
    join(bin, 'docker'),
    `#!/bin/sh\necho "$*" >> ${join(bin, 'calls.log')}\n[ "$1" = compose ] || exit 1\nshift\nif [ "$1" = version ]; then echo 'Docker Compose version v2.29.1'; exit 0; fi\nexec ${v1} "$@"\n`,
    { mode: 0o755 },
  );
  const { status, output } = runComposeTests(bin);
  assert.equal(status, 0, output);
  assert.match(output, /# skipped 0/, 'nothing skipped');
  assert.match(readFileSync(join(bin, 'calls.log'), 'utf8'), /^compose -f \S+docker-compose\.yml config/m, 'rendered by `docker compose`');
});

test('under CI with neither `docker compose` nor docker-compose, the compose file checks fail and say what to install', () => {
  const { status, output } = runComposeTests(tempDir('edge-ml-compose-cli-'));
  assert.notEqual(status, 0, output);
  assert.match(output, /docker compose/);
  assert.match(output, /docker-compose/);
});
