import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from './support/node-test.js';
import { parseDocument } from 'yaml';

// No GitHub runner here: the workflow's YAML and its contract are checked, not run.
const text = readFileSync(new URL('../../.github/workflows/smoke.yml', import.meta.url), 'utf8');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}

test('the GitHub workflow is valid YAML and runs edge-ml smoke on the docker runtime', () => {
  const doc = parseDocument(text, { uniqueKeys: true });
  assert.deepEqual(doc.errors, []);
  const workflow = doc.toJS() as { on: Record<string, unknown>; jobs: Record<string, { 'runs-on': string; 'timeout-minutes': number; steps: Step[] }> };
  assert.ok('push' in workflow.on && 'pull_request' in workflow.on, 'runs on pushes and pull requests');
  const job = workflow.jobs['smoke-docker']!;
  assert.match(job['runs-on'], /^ubuntu-/, 'a GitHub-hosted Linux runner, which has a Docker engine');
  assert.ok(job['timeout-minutes'] > 0);
  const steps = job.steps;
  for (const step of steps) assert.ok(step.uses || step.run, `a step does something: ${JSON.stringify(step)}`);
  const smoke = steps.findIndex((s) => /edge-ml smoke --runtime docker .*--json > smoke-report\.json/.test(s.run ?? ''));
  assert.ok(smoke > 0, 'runs the smoke on the docker runtime with a JSON report');
  const build = steps.findIndex((s) => /npm ci/.test(s.run ?? '') && /mvn -B -f udf-jar\/pom\.xml package/.test(s.run ?? ''));
  assert.ok(build >= 0 && build < smoke, 'builds the CLI and the UDF jar first');
  const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
  assert.equal(upload?.if, 'failure()');
  const paths = String(upload?.with?.path);
  assert.match(paths, /smoke-report\.json/);
  assert.match(paths, /container-logs\.txt/);
  assert.ok(steps.some((s) => s.if === 'failure()' && /docker compose -p edge-ml -f compose\/docker-compose\.yml logs/.test(s.run ?? '')), 'collects the container logs on failure');
  assert.ok(steps.some((s) => s.if === 'always()' && /edge-ml down/.test(s.run ?? '')), 'stops the platform whatever happened');
});
