/**
 * edge-ml demo --dashboard on the local runtime: the dashboard's URL comes first, the page sees the
 * demo's cars, and its detection (from the demo's own labels, in-process) ends equal to the
 * demo's summary; after the summary it serves on until Ctrl-C.
 */
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { after, test } from '../support/node-test.js';
import type { Snapshot } from '../../src/dashboard/contract.js';
import type { DemoSummary } from '../../src/pipeline/demo.js';
import { canListen } from '../../src/runtime/ports.js';
import { runCli, spawnCli } from '../support/cli.js';
import { freePort, waitFor } from '../support/ports.js';
import { tempDir } from '../support/temp-dir.js';

const home = tempDir('edge-ml-dashboard-demo-');

after(async () => {
  await runCli(home, ['down', '--volumes']);
});

/** The snapshot a page gets on connecting. */
function snapshotOf(url: string): Promise<Snapshot> {
  return new Promise((resolve, reject) => {
    const req = get(`${url}events`, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        const data = /event: snapshot\ndata: (.*)\n\n/.exec(text)?.[1];
        if (data) {
          req.destroy();
          resolve(JSON.parse(data) as Snapshot);
        }
      });
    });
    req.on('error', reject);
  });
}

test('demo --dashboard: URL first, the fleet live, detection equal to the summary, serving on until Ctrl-C', async () => {
  let kafkaPort: number;
  do kafkaPort = await freePort();
  while (!(await canListen('127.0.0.1', kafkaPort + 1)));
  const dashboardPort = await freePort();
  const args = ['demo', '--runtime', 'local', '--duration', '10', '--cars', '20', '--json', '--kafka-port', String(kafkaPort), '--mqtt-port', String(await freePort()), '--dashboard', '--dashboard-port', String(dashboardPort)];
  const demo = spawnCli(home, args, { timeoutMs: 240_000 });
  let stdout = '';
  let stderr = '';
  demo.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  demo.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    await waitFor('the URL', () => stdout.includes('\n'), 30_000);
    const url = (JSON.parse(stdout.split('\n')[0]!) as { url: string }).url;
    assert.equal(url, `http://127.0.0.1:${dashboardPort}/`, 'the URL comes first');

    await waitFor('car tiles', async () => (await snapshotOf(url)).fleet.length === 20, 180_000, 1000);
    // While the cars drive: every stage running, the endpoint's and the processor's rates from their counters.
    let stages: Snapshot['stages'] = [];
    await waitFor(
      'every stage running with a rate',
      async () => {
        stages = (await snapshotOf(url)).stages;
        // Anomalies are a few a second at most: that stage's rate may be 0 in any one second.
        return stages.every((s) => s.state === 'running' && s.ratePerS !== null && (s.ratePerS > 0 || s.id === 'anomalies-topic'));
      },
      10_000,
      500,
    ).catch((err: Error) => assert.fail(`${err.message}: ${JSON.stringify(stages)}`));
    assert.match(stages.find((s) => s.id === 'mqtt-endpoint')!.detail ?? '', /produced \d+/);
    assert.match(stages.find((s) => s.id === 'processor')!.detail ?? '', /scored \d+/);
    await waitFor('the summary', () => /The dashboard serves on/.test(stderr), 120_000, 500);
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as DemoSummary;
    let detection: Snapshot['detection'] = null;
    await waitFor(
      "the dashboard's detection equal to the summary's",
      async () => {
        detection = (await snapshotOf(url)).detection;
        return detection?.recall === summary.quality.recall && detection?.precision === summary.quality.precision && detection.labelled === summary.quality.anomalies;
      },
      10_000,
      500,
    ).catch((err: Error) => assert.fail(`${err.message}: dashboard ${JSON.stringify(detection)}, summary ${JSON.stringify(summary.quality)}`));
    process.stderr.write(`# demo --dashboard: recall ${summary.quality.recall}, precision ${summary.quality.precision} over ${summary.quality.anomalies} faults, both\n`);
  } finally {
    demo.kill('SIGINT');
  }
  const run = await demo;
  assert.equal(run.exitCode, 130, stderr.slice(-2000));
});
