/**
 * edge-ml smoke and edge-ml demo on the local runtime: real Kafka, MQTT endpoint and Streams
 * processor with the real UDF jar, driven through the CLI.
 */
import assert from 'node:assert/strict';
import { after, before, test } from '../support/node-test.js';
import { execa } from 'execa';
import type { SmokeReport } from '../../src/pipeline/smoke.js';
import { canListen } from '../../src/runtime/ports.js';
import { CLI_MAIN, lastJsonLine, runCli } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import { tempDir } from '../support/temp-dir.js';

const home = tempDir('edge-ml-smoke-');
let ports: string[] = [];

before(async () => {
  let kafkaPort: number;
  do kafkaPort = await freePort();
  while (!(await canListen('127.0.0.1', kafkaPort + 1)));
  ports = ['--kafka-port', String(kafkaPort), '--mqtt-port', String(await freePort())];
});

after(async () => {
  await runCli(home, ['down', '--volumes']);
});

test('smoke --runtime local --cars 200 passes: recall and precision >= 0.95, nothing lost', async () => {
  const run = await runCli(home, ['smoke', '--runtime', 'local', '--cars', '200', '--json', '--keep', ...ports]);
  const report = lastJsonLine<SmokeReport>(run.stdout);
  process.stderr.write(`# smoke: recall ${report.recall}, precision ${report.precision}, acked ${report.acked}, scored ${report.scored}, lost ${report.lost}, ${report.durationS} s\n`);
  assert.equal(run.exitCode, 0, `${JSON.stringify(report.checks, null, 1)}\n${run.stderr}`);
  assert.equal(report.passed, true);
  assert.ok(report.recall >= 0.95, `recall ${report.recall}`);
  assert.ok(report.precision >= 0.95, `precision ${report.precision}`);
  assert.equal(report.lost, 0);
  assert.equal(report.acked, 200 * 10);
  assert.equal(report.landed, report.acked);
  assert.equal(report.scored, report.acked);
  assert.deepEqual(report.checks.map((c) => c.name), ['published', 'landed', 'scored once', 'filter', 'recall', 'precision']);
});

test('a smoke with a sabotaged minimum (--min-precision 1.01) exits 1 and names the failing check', async () => {
  const run = await runCli(home, ['smoke', '--runtime', 'local', '--min-precision', '1.01', ...ports]);
  assert.equal(run.exitCode, 1, run.stderr);
  assert.match(run.stdout, /^FAIL {2}precision/m);
  assert.match(run.stdout, /^PASS {2}recall/m);
  assert.match(run.stdout, /smoke failed: precision/);
  assert.match(run.stdout, /the platform is still running/, 'it was up before the smoke, so the smoke leaves it up');
});

test('demo under a pseudo-terminal: narrated steps, live anomalies, a summary, spinners and colour', async () => {
  // script(1) gives the CLI a real terminal; CI must be unset there, as on a person's machine.
  const env: NodeJS.ProcessEnv = { ...process.env, EDGE_ML_HOME: home };
  delete env.CI;
  delete env.NO_COLOR;
  // A sized terminal, as a person's is (an unsized pseudo-terminal has 0 columns).
  const command = ['stty cols 120 rows 40;', 'node', CLI_MAIN, 'demo', '--runtime', 'local', '--duration', '20', ...ports].join(' ');
  const run = await execa('script', ['-qec', command, '/dev/null'], { env, extendEnv: false, reject: false, timeout: 180_000 });
  const output = String(run.stdout);
  assert.equal(run.exitCode, 0, output.slice(-2000));
  for (const step of ['1/4  Start the platform', '2/4  The model and the statements', '3/4  Cars on the road', '4/4  Anomalies, live', 'Summary']) {
    assert.ok(output.includes(step), `shows "${step}"`);
  }
  assert.match(output, /score .*(anomaly|ANOMALY)/, 'anomalies appear live');
  assert.match(output, /Detection against the labels: recall [\d.]+, precision [\d.]+/);
  assert.match(output, /\u001b\[/, 'colour on a terminal');
  assert.match(output, /[\u2800-\u28ff]/, 'spinner frames on a terminal');
  assert.ok(output.length < 5_000_000, `a bounded amount of output, got ${output.length} characters`);
  assert.match(output, /edge-ml down/, 'says how to stop the platform it leaves running');
});

test('demo piped: plain lines, no colour and no spinner frames', async () => {
  const run = await runCli(home, ['demo', '--runtime', 'local', '--duration', '8', ...ports], { timeoutMs: 120_000 });
  assert.equal(run.exitCode, 0, run.stderr);
  const all = run.stdout + run.stderr;
  assert.doesNotMatch(all, /\u001b\[/, 'no escape codes');
  assert.doesNotMatch(all, /[\u2800-\u28ff]/, 'no spinner frames');
  assert.match(run.stdout, /Summary/);
  assert.match(run.stderr, /^cars \d+\/\d+ connected {3}events \d+ {3}anomalies \d+$/m, 'running counts as plain lines');
});
