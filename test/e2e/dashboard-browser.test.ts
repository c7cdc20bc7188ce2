/**
 * End to end: the page in headless Chromium against `edge-ml dashboard --labels FILE` on the local
 * runtime (real Kafka, MQTT endpoint and processor), with 20 cars publishing with labels.
 * The page's own tests against a contract replay are test/e2e/dashboard-page.test.ts.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { SmokeReport } from '../../src/pipeline/smoke.js';
import { canListen } from '../../src/runtime/ports.js';
import { after, before, describe, test } from '../support/node-test.js';
import { launchBrowser, recordRequests } from '../support/browser.js';
import { lastJsonLine, runCli, spawnCli } from '../support/cli.js';
import { freePort, waitFor } from '../support/ports.js';
import { tempDir } from '../support/temp-dir.js';

const home = tempDir('edge-ml-dashboard-browser-');
const labels = join(home, 'labels.jsonl');
const CARS = 20;
const MESSAGES = 30;
const SEED = 42;
const testid = (id: string): string => `[data-testid="${id}"]`;

describe('edge-ml dashboard in chromium, end to end', () => {
  let ports: string[] = [];
  let dashboard: ReturnType<typeof spawnCli> | undefined;
  let url = '';
  let context: BrowserContext;
  let page: Page;
  let requests: string[];
  const pageErrors: string[] = [];

  before(async () => {
    let kafkaPort: number;
    do kafkaPort = await freePort();
    while (!(await canListen('127.0.0.1', kafkaPort + 1)));
    ports = ['--kafka-port', String(kafkaPort), '--mqtt-port', String(await freePort())];
    const up = await runCli(home, ['up', '--runtime', 'local', '--timeout', '240', ...ports]);
    assert.equal(up.exitCode, 0, up.stderr);
    writeFileSync(labels, '');
    const port = await freePort();
    dashboard = spawnCli(home, ['--runtime', 'local', 'dashboard', '--port', String(port), '--labels', labels], { timeoutMs: 900_000 });
    url = `http://127.0.0.1:${port}`;
    await waitFor(`edge-ml dashboard on ${url}`, async () => (await fetch(url + '/')).ok, 30_000);
    context = await launchBrowser();
    requests = await recordRequests(context);
    context.on('weberror', (e) => pageErrors.push(e.error().message));
    page = await context.newPage();
    await page.goto(url + '/');
  });

  after(async () => {
    await context?.close();
    dashboard?.kill('SIGTERM');
    await dashboard;
    await runCli(home, ['down', '--volumes']);
  });

  test('20 cars publishing with labels: tiles appear, a fault is in the feed within 5 s of its score, its window has 210 readings', async () => {
    // When each feed row first appears in the page, by the page's clock (the machine's, as the server's).
    await page.evaluate(() => {
      const seen: Record<string, number> = {};
      (window as any).__feedSeen = seen;
      new MutationObserver(() => {
        for (const row of document.querySelectorAll<HTMLElement>('[data-testid="feed-row"]')) {
          seen[`${row.dataset.car}/${row.dataset.event}`] ??= Date.now();
        }
      }).observe(document.querySelector('[data-testid="feed"]')!, { childList: true });
    });
    const gen = await runCli(home, ['generate', '--cars', String(CARS), '--count', String(MESSAGES), '--rate', '2', '--seed', String(SEED), '--labels', labels, '--json']);
    assert.equal(gen.exitCode, 0, gen.stderr);
    await page.waitForFunction((n) => (window as any).__dashboard.cars() === n, CARS, { timeout: 60_000 });
    await page.locator(testid('feed-row')).first().waitFor({ timeout: 60_000 });
    const late = await page.evaluate(() => {
      const seen = (window as any).__feedSeen as Record<string, number>;
      return [...document.querySelectorAll<HTMLElement>('[data-testid="feed-row"]')]
        .map((r) => ({ key: `${r.dataset.car}/${r.dataset.event}`, afterScoreMs: seen[`${r.dataset.car}/${r.dataset.event}`] - Number(r.dataset.at) }))
        .filter((r) => !(r.afterScoreMs <= 5000));
    });
    assert.deepEqual(late, [], 'every anomaly shown within 5 s of its score record');
    await page.locator(testid('feed-row')).first().click();
    await page.waitForFunction(() => (window as any).__dashboard.windowData()[1].filter((v: unknown) => v !== null).length === 210, null, { timeout: 10_000 });
    assert.match(await page.textContent(testid('window-text')) ?? '', /score [\d.e-]+, [\d.]+× the threshold 0\.000387/);
  });

  test('recall and precision shown are smoke\'s for the same seed, cars and messages', async () => {
    // Every injected fault (one line each in the labels file) scored and judged.
    const faults = readFileSync(labels, 'utf8').split('\n').filter((l) => l.trim()).length;
    assert.ok(faults > 0, 'the cars injected faults');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="labelled"]')?.getAttribute('data-value')) === n, faults, { timeout: 120_000 });
    const shown = {
      recall: Number(await page.getAttribute(testid('recall'), 'data-value')),
      precision: Number(await page.getAttribute(testid('precision'), 'data-value')),
    };
    // Read before the smoke: its events carry no labels the dashboard knows.
    const smoke = await runCli(home, ['smoke', '--runtime', 'local', '--cars', String(CARS), '--messages', String(MESSAGES), '--seed', String(SEED), '--keep', '--json', ...ports]);
    const report = lastJsonLine<SmokeReport>(smoke.stdout);
    process.stdout.write(`dashboard page: recall ${shown.recall}, precision ${shown.precision} over ${faults} faults; smoke's: ${report.recall}, ${report.precision}\n`);
    assert.deepEqual(shown, { recall: report.recall, precision: report.precision });
  });

  test('a second tab gets the same view', async () => {
    const second = await context.newPage();
    try {
      await second.goto(url + '/');
      await second.waitForFunction(() => (window as any).__dashboard?.snapshots() >= 1, null, { timeout: 10_000 });
      const view = (p: Page) => p.evaluate(() => ['car-count', 'recall', 'precision', 'caught', 'missed', 'false-alarms', 'stage-processor']
        .map((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent));
      // Both follow the same live stream: equal once no tick is in flight between them.
      await waitFor('both tabs to show the same figures', async () => JSON.stringify(await view(second)) === JSON.stringify(await view(page)), 10_000);
    } finally {
      await second.close();
    }
    const path = join(tempDir('edge-ml-dashboard-shots-'), 'dashboard-e2e.png');
    await page.screenshot({ path });
    if (process.env.EDGE_ML_DASHBOARD_SCREENSHOT) copyFileSync(path, process.env.EDGE_ML_DASHBOARD_SCREENSHOT.replace(/(\.png)?$/, '-e2e.png'));
  });

  test('the platform goes down: stages shown down; it comes back: running again', async () => {
    const down = await runCli(home, ['down']);
    assert.equal(down.exitCode, 0, down.stderr);
    await page.waitForSelector(`${testid('stage-processor')}[data-state="down"]`, { timeout: 60_000 });
    assert.equal(await page.getAttribute(testid('connection'), 'data-state'), 'live', 'the dashboard itself keeps serving');
    const up = await runCli(home, ['up', '--runtime', 'local', '--timeout', '240', ...ports]);
    assert.equal(up.exitCode, 0, up.stderr);
    await page.waitForSelector(`${testid('stage-processor')}[data-state="running"]`, { timeout: 60_000 });
  });

  test('the page requested nothing outside the dashboard\'s origin, and threw nothing', () => {
    assert.deepEqual(requests.filter((u) => !u.startsWith(url + '/')), []);
    assert.deepEqual(pageErrors, []);
  });
});
