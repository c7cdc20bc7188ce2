/**
 * The dashboard page (dashboard/) in real headless Chromium, against a contract-replay server
 * (test/support/dashboard-replay.ts) that speaks src/dashboard/contract.ts with made-up data.
 * These are NOT end-to-end tests: test/e2e/dashboard.test.ts runs the page against
 * `edge-ml dashboard` and a real platform.
 *
 * EDGE_ML_DASHBOARD_SCREENSHOT=docs/dashboard.png also writes the screenshot there (the README's).
 */
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { Anomaly, Tick } from '../../src/dashboard/contract.js';
import { after, before, describe, test } from '../support/node-test.js';
import { launchBrowser, recordRequests } from '../support/browser.js';
import {
  DashboardReplay, THRESHOLD, detection, normalScore, random, readings, stages, tile, windowKey, world,
} from '../support/dashboard-replay.js';
import { tempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/ports.js';

const CARS = 20;
const shots = tempDir('edge-ml-dashboard-shots-');

/** A tick in which `car` scores over the threshold: its tile, the feed row and the window to explain it. */
function anomalyTick(replay: DashboardReplay, car: string, event: number, rnd: () => number): { tick: Tick; anomaly: Anomaly } {
  const now = Date.now();
  const score = THRESHOLD * 12.5;
  const anomaly: Anomaly = { at: now, car, event, score, label: 'spike' };
  replay.windows.set(windowKey(car, event), {
    car,
    threshold: THRESHOLD,
    flagged: { event, score, readings: readings(rnd, true) },
    lastNormal: { event: event - 1, score: normalScore(rnd), readings: readings(rnd, false) },
  });
  const tick: Tick = {
    at: now,
    stages: stages('running', CARS),
    fleet: [tile(car, score, now), tile('2', THRESHOLD * 0.7, now)],
    feed: [anomaly],
    point: { at: now, messagesIn: 20.4, scored: 19.8, anomaliesPerMin: 2, latencyP50Ms: 41, latencyP99Ms: 130 },
    scores: [{ at: now, score }],
    detection: detection(4, 1, 0),
  };
  return { tick, anomaly };
}

const testid = (id: string): string => `[data-testid="${id}"]`;

describe('page against a contract replay server', () => {
  const rnd = random(7);
  let replay: DashboardReplay;
  let context: BrowserContext;
  let page: Page;
  let requests: string[];
  let anomaly: Anomaly;
  /** Uncaught errors in the page (any tab): each one fails the last test. */
  const pageErrors: string[] = [];

  before(async () => {
    replay = new DashboardReplay(world({ cars: CARS, now: Date.now(), labels: true }));
    await replay.start();
    context = await launchBrowser();
    requests = await recordRequests(context);
    context.on('weberror', (e) => pageErrors.push(e.error().message));
    page = await context.newPage();
    await page.goto(replay.url + '/');
  });

  after(async () => {
    await context?.close();
    await replay?.stop();
  });

  test('page against a contract replay server: a tile per car for 20 cars, stages running', async () => {
    await page.waitForFunction((n) => (window as any).__dashboard?.cars() === n, CARS, { timeout: 10_000 });
    assert.equal(await page.textContent(testid('car-count')), '20');
    assert.match(await page.textContent(testid('stage-processor')) ?? '', /ANOMALY UDF.*running.*20\/s/s);
    assert.equal(await page.getAttribute(testid('connection'), 'data-state'), 'live');
    assert.equal(await page.locator(testid('feed-row')).count(), 3, 'the snapshot\'s three anomalies');
    const box = await page.locator(testid('fleet')).boundingBox();
    assert.ok(box && box.width > 100 && box.height > 20, `the fleet canvas is drawn: ${JSON.stringify(box)}`);
  });

  test('page against a contract replay server: a new anomaly in a tick appears in the feed within 5 s', async () => {
    const sent = anomalyTick(replay, '7', 101, rnd);
    anomaly = sent.anomaly;
    replay.tick(sent.tick);
    const row = page.locator(`${testid('feed-row')}[data-car="7"][data-event="101"]`);
    await row.waitFor({ timeout: 5000 });
    assert.equal(await page.locator(testid('feed-row')).first().getAttribute('data-event'), '101', 'newest first');
    assert.match(await row.textContent() ?? '', /7.*101.*0\.00484.*spike/s);
    assert.equal(await page.textContent(testid('flagged-count')), '1');
  });

  test('page against a contract replay server: clicking the anomaly plots its 210 readings beside the last normal window', async () => {
    await page.locator(`${testid('feed-row')}[data-car="7"][data-event="101"]`).click();
    const view = replay.windows.get(windowKey(anomaly.car, anomaly.event))!;
    await page.waitForFunction(() => (window as any).__dashboard.windowData()[1].filter((v: unknown) => v !== null).length === 210, null, { timeout: 5000 });
    const [xs, flagged, normal] = await page.evaluate(() => (window as any).__dashboard.windowData() as number[][]);
    assert.equal(xs.length, 210);
    assert.deepEqual(flagged, view.flagged.readings);
    assert.deepEqual(normal, view.lastNormal!.readings);
    const text = await page.textContent(testid('window-text')) ?? '';
    assert.match(text, /Car 7, event 101: score 0\.00484, 12\.5× the threshold 0\.000387/);
    assert.match(text, /last normal window \(blue\): event 100/);
  });

  test('page against a contract replay server: recall and precision shown are the tick\'s detection', async () => {
    const d = detection(6, 1, 2);
    replay.tick({ ...anomalyTick(replay, '12', 55, rnd).tick, detection: d });
    await page.waitForFunction((want) => document.querySelector('[data-testid="recall"]')?.getAttribute('data-value') === String(want), d.recall, { timeout: 5000 });
    assert.equal(await page.getAttribute(testid('precision'), 'data-value'), String(d.precision));
    assert.equal(await page.textContent(testid('recall')), '85.7%');
    assert.equal(await page.textContent(testid('precision')), '75.0%');
    assert.equal(await page.textContent(testid('caught')), '6');
    assert.equal(await page.textContent(testid('missed')), '1');
    assert.equal(await page.textContent(testid('false-alarms')), '2');
    assert.equal(await page.isHidden(testid('no-labels')), true);
  });

  test('page against a contract replay server: a second tab gets the same view', async () => {
    const second = await context.newPage();
    try {
      await second.goto(replay.url + '/');
      await second.waitForFunction((n) => (window as any).__dashboard?.cars() === n, CARS, { timeout: 10_000 });
      const view = (p: Page) => p.evaluate(() => ({
        feed: [...document.querySelectorAll('[data-testid="feed-row"]')].map((r) => r.textContent),
        figures: ['car-count', 'flagged-count', 'recall', 'precision', 'caught', 'missed', 'false-alarms', 'stage-cars']
          .map((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent),
      }));
      // The page draws its feed at most once a second: the two agree within that.
      const same = async (): Promise<void> => {
        const deadline = Date.now() + 5000;
        while (JSON.stringify(await view(second)) !== JSON.stringify(await view(page)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        assert.deepEqual(await view(second), await view(page));
      };
      await same();
      // And both follow the next tick.
      replay.tick(anomalyTick(replay, '19', 77, rnd).tick);
      for (const p of [page, second]) await p.locator(`${testid('feed-row')}[data-car="19"]`).waitFor({ timeout: 5000 });
      await same();
    } finally {
      await second.close();
    }
  });

  test('page against a contract replay server: when the server stops the page says reconnecting…, then live again with the stages it is sent', async () => {
    await replay.stop();
    await page.waitForSelector(`${testid('connection')}[data-state="reconnecting"]`, { timeout: 10_000 });
    assert.match(await page.textContent(testid('connection')) ?? '', /reconnecting…/);
    assert.equal(await page.getAttribute(testid('stage-processor'), 'data-state'), 'unknown');
    // The dashboard comes back while the platform is down: every stage shown down, then running.
    replay.world.stages = stages('down', CARS);
    const snapshots = await page.evaluate(() => (window as any).__dashboard.snapshots() as number);
    await replay.start();
    await page.waitForSelector(`${testid('connection')}[data-state="live"]`, { timeout: 15_000 });
    assert.equal(await page.evaluate(() => (window as any).__dashboard.snapshots() as number), snapshots + 1);
    assert.equal(await page.getAttribute(testid('stage-processor'), 'data-state'), 'down');
    assert.match(await page.textContent(testid('stage-processor')) ?? '', /down/);
    await waitFor('the page to reconnect to the replay', () => replay.connections === 1, 5000);
    replay.tick({ ...anomalyTick(replay, '5', 200, rnd).tick, stages: stages('running', CARS) });
    await page.waitForSelector(`${testid('stage-processor')}[data-state="running"]`, { timeout: 5000 });
  });

  test('page against a contract replay server: a screenshot at 1280x800', async () => {
    await page.locator(`${testid('feed-row')}[data-car="7"][data-event="101"]`).click();
    await page.waitForFunction(() => (window as any).__dashboard.windowData()[1].length === 210, null, { timeout: 5000 });
    await page.locator(testid('fleet')).hover({ position: { x: 20, y: 20 } });
    const path = join(shots, 'dashboard.png');
    await page.screenshot({ path });
    process.stdout.write(`dashboard page screenshot: ${path}\n`);
    if (process.env.EDGE_ML_DASHBOARD_SCREENSHOT) copyFileSync(path, process.env.EDGE_ML_DASHBOARD_SCREENSHOT);
  });

  test('page against a contract replay server: the page requested nothing outside its origin, and threw nothing', () => {
    assert.deepEqual(pageErrors, []);
    assert.ok(requests.length >= 6, `requests were recorded: ${requests.join(', ')}`);
    const outside = requests.filter((u) => !u.startsWith(replay.url + '/'));
    assert.deepEqual(outside, []);
    const paths = [...new Set(replay.served.map((p) => p.replace(/\?.*/, '?…')))].sort();
    process.stdout.write(`dashboard page requested: ${paths.join(' ')}\n`);
  });
});

describe('page against a contract replay server with 10,000 cars', () => {
  let replay: DashboardReplay;
  let context: BrowserContext;

  before(async () => {
    replay = new DashboardReplay(world({ cars: 10_000, now: Date.now(), labels: false }));
    await replay.start();
    context = await launchBrowser();
  });

  after(async () => {
    await context?.close();
    await replay?.stop();
  });

  test('page against a contract replay server: 10,000 tiles updating, longest task printed', async () => {
    const page = await context.newPage();
    // Long tasks and long animation frames (both only reported over 50 ms), from before the page's first script.
    await page.addInitScript(() => {
      const w = window as any;
      w.__longest = { task: 0, frame: 0 };
      for (const type of ['longtask', 'long-animation-frame']) {
        try {
          new PerformanceObserver((list) => {
            for (const e of list.getEntries()) {
              const key = type === 'longtask' ? 'task' : 'frame';
              w.__longest[key] = Math.max(w.__longest[key], e.duration);
            }
          }).observe({ type, buffered: true });
        } catch {
          // an entry type this Chromium does not know
        }
      }
    });
    await page.goto(replay.url + '/');
    await page.waitForFunction(() => (window as any).__dashboard?.cars() === 10_000, null, { timeout: 20_000 });
    assert.equal(await page.textContent(testid('car-count')), '10,000');
    assert.equal(await page.isVisible(testid('no-labels')), true, 'no labels: said so');
    // Only what happens while cars update counts: the page's load is not the steady state.
    await page.evaluate(() => { (window as any).__longest = { task: 0, frame: 0 }; });
    // 10,000 cars at one message a second, in ticks of 250 ms: 2,500 changed tiles a tick, for 5 s.
    const rnd = random(3);
    for (let t = 0; t < 20; t++) {
      const now = Date.now();
      const fleet = Array.from({ length: 2500 }, (_, i) => {
        const car = String(((t % 4) * 2500) + i + 1);
        return tile(car, rnd() < 0.01 ? THRESHOLD * (2 + rnd() * 10) : normalScore(rnd), now);
      });
      replay.tick({
        at: now, stages: stages('running', 10_000, 8), fleet, feed: [],
        point: t % 4 === 0 ? { at: now, messagesIn: 10_000, scored: 9_990, anomaliesPerMin: 480, latencyP50Ms: 60, latencyP99Ms: 210 } : null,
        scores: Array.from({ length: 25 }, () => ({ at: now, score: normalScore(rnd) })), detection: null,
      });
      await new Promise((r) => setTimeout(r, 250));
    }
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const longest = await page.evaluate(() => (window as any).__longest as { task: number; frame: number });
    const n = Math.round(Math.max(longest.task, longest.frame));
    process.stdout.write(`dashboard page: longest task ${n} ms with 10,000 cars (long tasks and long animation frames are only reported over 50 ms; 0: none)\n`);
    const flagged = Number((await page.textContent(testid('flagged-count')))?.replace(/,/g, ''));
    assert.ok(flagged > 0, 'some of the 10,000 tiles are flagged');
    const path = join(shots, 'dashboard-10000.png');
    await page.screenshot({ path });
    if (process.env.EDGE_ML_DASHBOARD_SCREENSHOT) copyFileSync(path, process.env.EDGE_ML_DASHBOARD_SCREENSHOT.replace(/(\.png)?$/, '-10000.png'));
  });
});
