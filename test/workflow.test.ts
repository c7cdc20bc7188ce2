import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from './support/node-test.js';
import { parseDocument } from 'yaml';
import { composeFiles } from '../src/runtime/docker-compose.js';
import { DOCKER_MQTT } from '../src/scenario/scenario.js';

// No GitHub runner here: the workflow's YAML and its contract are checked, not run.
const text = readFileSync(new URL('../../.github/workflows/smoke.yml', import.meta.url), 'utf8');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}

const doc = parseDocument(text, { uniqueKeys: true });
interface Job {
  'runs-on': string;
  'timeout-minutes': number;
  strategy?: { 'fail-fast'?: boolean; matrix?: { include?: Record<string, string>[] } };
  steps: Step[];
}
const workflow = doc.toJS() as { on: Record<string, unknown>; jobs: Record<string, Job> };
const job = workflow.jobs['smoke-docker']!;

/**
 * The first major of each action whose action.yml says `runs.using: node24` (read at the tags of
 * actions/checkout, setup-node, setup-java and upload-artifact). GitHub removed the Node 20 action
 * runtime from hosted runners in September 2026, so older majors no longer run there.
 */
const FIRST_NODE24_MAJOR: Record<string, number> = {
  'actions/checkout': 5,
  'actions/setup-node': 5,
  'actions/setup-java': 5,
  'actions/upload-artifact': 6, // v5 still ran on node20 by default
};

test('the GitHub workflow is valid YAML and runs edge-ml smoke on the docker runtime', () => {
  assert.deepEqual(doc.errors, []);
  assert.ok('push' in workflow.on && 'pull_request' in workflow.on, 'runs on pushes and pull requests');
  assert.match(job['runs-on'], /^ubuntu-/, 'a GitHub-hosted Linux runner, which has a Docker engine');
  assert.ok(job['timeout-minutes'] > 0);
  const steps = job.steps;
  for (const step of steps) assert.ok(step.uses || step.run, `a step does something: ${JSON.stringify(step)}`);
  const smoke = steps.findIndex((s) => /edge-ml smoke --runtime docker --mqtt \$\{\{ matrix\.mqtt \}\} .*--json > smoke-report\.json/.test(s.run ?? ''));
  assert.ok(smoke > 0, 'runs the smoke on the docker runtime with a JSON report');
  const build = steps.findIndex((s) => /npm ci/.test(s.run ?? '') && /mvn -B -f udf-jar\/pom\.xml package/.test(s.run ?? ''));
  assert.ok(build >= 0 && build < smoke, 'builds the CLI and the UDF jar first');
  const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
  assert.equal(upload?.if, 'failure()');
  const paths = String(upload?.with?.path);
  assert.match(paths, /smoke-report\.json/);
  assert.match(paths, /container-logs\.txt/);
  assert.equal(upload?.with?.name, 'smoke-docker-${{ matrix.mqtt }}', "one artifact per variant: two legs uploading one name collide");
  assert.ok(steps.some((s) => s.if === 'failure()' && /docker compose -p edge-ml \$\{\{ matrix\.compose \}\} logs/.test(s.run ?? '')), "collects the container logs on failure, with the variant's files");
  assert.ok(steps.some((s) => s.if === 'always()' && /edge-ml down/.test(s.run ?? '')), 'stops the platform whatever happened');
});

test('every action of the workflow runs on the Node 24 action runtime', () => {
  const actions = job.steps.flatMap((s) => (s.uses ? [s.uses] : []));
  assert.ok(actions.length > 0);
  for (const uses of actions) {
    const [name, ref] = uses.split('@') as [string, string];
    const first = FIRST_NODE24_MAJOR[name];
    assert.ok(first !== undefined, `${uses}: look up which of its majors run on node24 (runs.using in its action.yml) and add it to this test`);
    const major = Number(/^v(\d+)(\.\d+)*$/.exec(ref)?.[1]);
    assert.ok(major >= first, `${uses} runs on the retired Node 20 runtime: use @v${first} or later`);
  }
});

test('the workflow runs edge-ml on a Node.js that is still supported (22 or later; 20 reached end of life in April 2026)', () => {
  const setupNode = job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
  assert.ok(Number(setupNode?.with?.['node-version']) >= 22, `node-version: ${String(setupNode?.with?.['node-version'])}`);
});

test("the smoke runs on both MQTT services of the docker runtime, each with the compose files edge-ml uses for it", () => {
  const include = job.strategy?.matrix?.include ?? [];
  assert.deepEqual(include.map((leg) => leg.mqtt), [...DOCKER_MQTT]);
  assert.equal(job.strategy?.['fail-fast'], false, 'one failing variant does not cancel the other');
  const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
  for (const leg of include) {
    const files = composeFiles(leg.mqtt as (typeof DOCKER_MQTT)[number]).map((file) => `-f ${relative(root, file)}`).join(' ');
    assert.equal(leg.compose, files, `--mqtt ${leg.mqtt}`);
  }
  assert.ok(job.steps.some((s) => /docker compose \$\{\{ matrix\.compose \}\} pull/.test(s.run ?? '')), "pulls the variant's images");
});
