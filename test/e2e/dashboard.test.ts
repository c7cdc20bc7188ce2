import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { get, request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from '../support/node-test.js';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { Snapshot, Tick, WindowView } from '../../src/dashboard/contract.js';
import { LabelsFile } from '../../src/dashboard/labels.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { formatPayload } from '../../src/generator/payload.js';
import { createTopics } from '../../src/kafka/admin.js';
import { evaluateScores } from '../../src/model/evaluate.js';
import { loadScenario } from '../../src/scenario/load.js';
import { spawnCli } from '../support/cli.js';
import { startTestKafka, type TestKafka } from '../support/kafka.js';
import { freePort, waitFor } from '../support/ports.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * The dashboard server against a real Kafka: records written in the pipeline's exact formats
 * (source: key = MQTT topic, value = the seed payload; scores: the processor's JSON, with its
 * source record's timestamp as Kafka Streams and ksqlDB give it), read by the dashboard's one
 * consumer, and checked through its SSE stream, its window API and its figures. The source topic
 * has 3 partitions, so a window is found only in the partition its key hashes to.
 */

const scenario = loadScenario('connected-cars');
const { source, scores, anomalies } = scenario.streams;
const threshold = scenario.model.threshold;
const mqttTopic = (car: string): string => `car/${car}/engine/temperature`;

interface SseEvent {
  event: string;
  data: unknown;
  at: number;
  /** The raw data line: what every client must get byte for byte. */
  text: string;
}

/** An EventSource stand-in: every event with its arrival time. */
function sseClient(url: string): { events: SseEvent[]; close(): void } {
  const events: SseEvent[] = [];
  let buffer = '';
  const req = get(`${url}events`, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data), at: Date.now(), text: data });
      }
    });
  });
  req.on('error', () => undefined);
  return { events, close: () => req.destroy() };
}

/** GET with the path sent exactly as written (no URL normalisation). */
function rawGet(url: string, path: string): Promise<{ status: number; type: string | undefined; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Readings with two decimals, as the payload carries them, different for each window. */
function readings(seed: number): number[] {
  return Array.from({ length: 210 }, (_, i) => Math.round((2 + Math.sin(i / 7 + seed) + seed / 100) * 100) / 100);
}

describe('edge-ml dashboard against a real Kafka', () => {
  let kafka: TestKafka;
  let producer: Producer;
  let dashboard: Dashboard;
  const labelsFile = join(tempDir('edge-ml-dashboard-labels-'), 'labels.jsonl');

  async function send(topic: string, messages: { key: string; value: string; timestamp?: number }[]): Promise<void> {
    await producer.send({ topic, messages: messages.map((m) => ({ ...m, timestamp: m.timestamp === undefined ? undefined : String(m.timestamp) })) });
  }
  const score = (car: string, event: number, value: number, timestamp?: number) => ({ key: mqttTopic(car), value: JSON.stringify({ CARID: car, EVENTID: event, ANOMALY_VAL: value }), timestamp });
  const sensor = (car: string, event: number, seed: number, timestamp?: number) => ({ key: mqttTopic(car), value: formatPayload(event, readings(seed)), timestamp });

  before(async () => {
    kafka = await startTestKafka();
    await createTopics({ bootstrap: kafka.bootstrap }, [source, scores, anomalies].map((name) => ({ name, partitions: name === source ? 3 : 1 })));
    producer = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    writeFileSync(labelsFile, '');
    // No platform in the state dir: the cluster is the one named, as with --bootstrap-server.
    dashboard = await startDashboard({
      host: '127.0.0.1',
      port: 0,
      scenario,
      stateDir: tempDir('edge-ml-dashboard-home-'),
      target: () => ({ bootstrap: kafka.bootstrap }),
      labels: new LabelsFile(labelsFile),
    });
    assert.ok(await dashboard.untilLive(60_000), 'the dashboard consumer live and the end offsets read');
  });
  after(async () => {
    await dashboard?.close();
    await producer?.disconnect();
    await kafka?.stop();
  });

  test('figures for known input: tiles, feed, latency from the score\'s (source) timestamp to its arrival, rates from end offsets, windows read from the source topic, detection as evaluateScores', async () => {
    const t0 = Date.now();
    // Records stamped 10 s back: the latency is the score's arrival minus that.
    const sourceAt = t0 - 10_000;
    // Car d1: event 1 normal, 2 flagged (labelled spike), 3 flagged (no label: a false alarm).
    // Car d2: event 1 normal, 2 normal but labelled noise (missed), 3 normal.
    const events = [
      { car: 'd1', event: 1, score: threshold / 4, fault: undefined },
      { car: 'd1', event: 2, score: threshold * 5, fault: 'spike' as const },
      { car: 'd1', event: 3, score: threshold * 2, fault: undefined },
      { car: 'd2', event: 1, score: threshold / 2, fault: undefined },
      { car: 'd2', event: 2, score: threshold / 3, fault: 'noise' as const },
      { car: 'd2', event: 3, score: threshold / 5, fault: undefined },
    ];
    for (const e of events) if (e.fault) appendFileSync(labelsFile, `{"carId":"${e.car}","eventId":${e.event},"kind":"${e.fault}"}\n`);
    // Another record of d1 in the same millisecond as event 2: the lookup must pick by event id.
    await send(source, [...events.map((e, i) => sensor(e.car, e.event, i, sourceAt + i)), sensor('d1', 99, 50, sourceAt + 1)]);
    await waitFor('the source records counted', () => dashboard.aggregator.view().series.some((p) => p.at > t0 && p.messagesIn > 0), 10_000);
    await send(scores, events.map((e, i) => score(e.car, e.event, e.score, sourceAt + i)));
    await send(anomalies, events.filter((e) => e.score > threshold).map((e) => score(e.car, e.event, e.score, sourceAt + events.indexOf(e))));
    await waitFor('both anomalies in the feed and detection judged', () => {
      const v = dashboard.aggregator.view();
      return v.feed.length >= 2 && (v.detection?.labelled ?? 0) >= 1 && (v.detection?.caught ?? 0) + (v.detection?.missed ?? 0) === 2;
    }, 10_000);
    await waitFor('a series point with the latency', () => dashboard.aggregator.view().series.some((p) => p.latencyP50Ms !== null), 5000);

    const view = dashboard.aggregator.view();
    const tile = (car: string) => view.fleet.find((t) => t.car === car);
    assert.deepEqual(tile('d1'), { car: 'd1', score: Number((threshold * 2).toPrecision(4)), flagged: true, at: sourceAt + 2 });
    assert.deepEqual(tile('d2'), { car: 'd2', score: Number((threshold / 5).toPrecision(4)), flagged: false, at: sourceAt + 5 });
    assert.deepEqual(
      view.feed.slice(0, 2).map((a) => [a.car, a.event, a.score, a.at, a.label]),
      [
        ['d1', 3, threshold * 2, sourceAt + 2, undefined],
        ['d1', 2, threshold * 5, sourceAt + 1, 'spike'],
      ],
      'newest first, labelled where the labels say so',
    );
    const point = view.series.find((p) => p.latencyP50Ms !== null)!;
    // Between 10 s (the source's age when the test began) and its age now; the histogram's buckets are 5% wide.
    const oldest = Date.now() - sourceAt;
    for (const latency of [point.latencyP50Ms!, point.latencyP99Ms!]) assert.ok(latency >= 10_000 * 0.95 && latency <= oldest * 1.05, `latency ${latency} ms, source ${oldest} ms old`);
    assert.ok(view.series.some((p) => p.anomaliesPerMin >= 2), 'anomalies in the last minute');

    const expected = evaluateScores(events.map((e) => ({ fault: e.fault })), events.map((e) => e.score), threshold);
    assert.deepEqual(view.detection, { labelled: 2, caught: 1, missed: 1, falseAlarms: 1, recall: expected.recall, precision: expected.precision });

    const window = (await (await fetch(`${dashboard.url}api/window?car=d1&event=2`)).json()) as WindowView;
    assert.deepEqual(window, {
      car: 'd1',
      threshold,
      flagged: { event: 2, score: threshold * 5, readings: readings(1) },
      lastNormal: { event: 1, score: threshold / 4, readings: readings(0) },
    });
    const later = (await (await fetch(`${dashboard.url}api/window?car=d1&event=3`)).json()) as WindowView;
    assert.deepEqual([later.flagged.readings, later.lastNormal?.event], [readings(2), 1], 'the last normal window before event 3 is still event 1');
    assert.equal((await fetch(`${dashboard.url}api/window?car=d2&event=2`)).status, 404, 'a normal window is not served');
    // A score whose source record is not in the topic (retention removed it, say): 404 saying so.
    await send(scores, [score('gone', 7, threshold * 4, Date.now())]);
    await waitFor('the orphan score in the feed', () => dashboard.aggregator.view().feed.some((a) => a.car === 'gone'), 10_000);
    const orphan = await fetch(`${dashboard.url}api/window?car=gone&event=7`);
    assert.equal(orphan.status, 404);
    assert.match(((await orphan.json()) as { error: string }).error, /car gone's event 7 is no longer in the source topic/);
    assert.equal((await fetch(`${dashboard.url}api/window?car=d1`)).status, 400);
  });

  test('SSE: snapshot first, then ticks at most 4 a second; two pages see the same; a reconnect gets a fresh snapshot', async () => {
    const a = sseClient(dashboard.url);
    const b = sseClient(dashboard.url);
    try {
      await waitFor('both snapshots', () => a.events.length > 0 && b.events.length > 0, 5000);
      assert.equal(a.events[0]!.event, 'snapshot');
      assert.equal(b.events[0]!.event, 'snapshot');
      const snapshot = a.events[0]!.data as Snapshot;
      assert.deepEqual(snapshot.stages.map((s) => s.id), ['cars', 'mqtt-endpoint', 'source-topic', 'processor', 'scores-topic', 'anomalies-topic']);
      assert.equal(snapshot.stages.find((s) => s.id === 'scores-topic')!.state, 'running');
      assert.equal(snapshot.scenario.windowLength, 210);
      await waitFor('two clients connected', () => dashboard.clients() >= 2, 5000);

      // Scores every 20 ms for 3 s: far more often than ticks may go out.
      const started = Date.now();
      for (let i = 0; Date.now() - started < 3000; i++) {
        await send(scores, [score(`s${i % 7}`, 1000 + i, i % 10 === 0 ? threshold * 3 : threshold / 3)]);
        await new Promise((r) => setTimeout(r, 20));
      }
      await new Promise((r) => setTimeout(r, 600));
      const ticksOf = (c: typeof a) => c.events.filter((e) => e.event === 'tick' && e.at >= started && e.at <= started + 3000);
      const ticks = ticksOf(a);
      assert.ok(ticks.length >= 6, `${ticks.length} ticks in 3 s`);
      assert.ok(ticks.length <= 13, `${ticks.length} ticks in 3 s: at most 4 a second`);
      const fleetCars = new Set(ticks.flatMap((t) => (t.data as Tick).fleet.map((c) => c.car)));
      assert.ok(fleetCars.has('s0') && fleetCars.has('s6'), 'changed tiles come in ticks');
      // The same bytes to both pages, from the first tick both had.
      const all = (c: typeof a) => c.events.filter((e) => e.event === 'tick').map((e) => e.text);
      const common = all(a).filter((t) => all(b).includes(t));
      assert.ok(common.length >= ticks.length - 1, 'the two pages got the same ticks');
      const feedA = ticks.flatMap((t) => (t.data as Tick).feed.map((f) => `${f.car}/${f.event}`));
      assert.ok(feedA.length > 0, 'anomalies in the ticks');

      // A page that reconnects gets the whole view again, with the anomalies it missed.
      a.close();
      const again = sseClient(dashboard.url);
      try {
        await waitFor('the fresh snapshot', () => again.events.length > 0, 5000);
        const fresh = again.events[0]!.data as Snapshot;
        assert.equal(again.events[0]!.event, 'snapshot');
        const feed = new Set(fresh.feed.map((f) => `${f.car}/${f.event}`));
        for (const key of feedA) assert.ok(feed.has(key), `${key} in the fresh snapshot's feed`);
        assert.equal(new Set(fresh.feed.map((f) => `${f.car}/${f.event}`)).size, fresh.feed.length, 'each anomaly once');
        assert.ok(fresh.recentScores.length > 0 && fresh.series.length > 0);
      } finally {
        again.close();
      }
    } finally {
      a.close();
      b.close();
    }
  });

  test('static files: the page, its assets and uPlot, with their content types; no path leaves the served directories', async () => {
    const page = await rawGet(dashboard.url, '/');
    assert.equal(page.status, 200);
    assert.match(page.type ?? '', /^text\/html/);
    const uplot = await rawGet(dashboard.url, '/vendor/uPlot.iife.min.js');
    assert.equal(uplot.status, 200);
    assert.match(uplot.type ?? '', /^text\/javascript/);
    assert.match((await rawGet(dashboard.url, '/vendor/uPlot.min.css')).type ?? '', /^text\/css/);
    for (const path of ['/assets/../package.json', '/assets/..%2f..%2fpackage.json', '/assets/%2e%2e/%2e%2e/package.json', '/vendor/../../../package.json', '/vendor/..%2fpackage.json', '/assets/.hidden', '/assets/..\\..\\package.json', '/assets/']) {
      const res = await rawGet(dashboard.url, path);
      assert.equal(res.status, 404, `${path}: ${res.status}`);
      assert.doesNotMatch(res.body, /"name": "edge-ml"/, path);
    }
  });

  test('memory is bounded: 50,000 cars leave 20,000 tracked, the most recent', async () => {
    const cars = 50_000;
    // In batches well under the broker's 1 MB request limit.
    for (let from = 0; from < cars; from += 2000) {
      await send(scores, Array.from({ length: 2000 }, (_, i) => score(`m${from + i}`, 1, threshold / 2)));
    }
    await waitFor('the last car scored', () => dashboard.aggregator.view().fleet.some((t) => t.car === `m${cars - 1}`), 30_000);
    assert.equal(dashboard.aggregator.trackedCars, 20_000);
    const view = dashboard.aggregator.view();
    assert.equal(view.fleet.length, 20_000);
    assert.ok(!view.fleet.some((t) => t.car === 'm0'), 'the least recently scored car was evicted');
    assert.ok(view.feed.length <= 200 && view.series.length <= 300 && view.recentScores.length <= 600);
  });

  test('the cluster goes down: stages down; it comes back: the consumer reads again', async () => {
    const client = sseClient(dashboard.url);
    try {
      await kafka.stop({ keepFiles: true });
      await waitFor('the consumer to see the cluster gone', () => dashboard.feedStatus().state !== 'live', 60_000);
      await waitFor('a tick with the topic stages down', () => {
        const last = client.events.filter((e) => e.event === 'tick').at(-1)?.data as Tick | undefined;
        return last?.stages.every((s) => s.state === 'down') ?? false;
      }, 30_000);
      kafka = await startTestKafka(kafka.placement);
      await waitFor('the consumer live again', () => dashboard.feedStatus().state === 'live', 60_000);
      await producer.disconnect();
      producer = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      await send(scores, [score('back', 1, threshold * 9)]);
      await waitFor('the score after the restart in the feed', () => dashboard.aggregator.view().feed.some((a) => a.car === 'back'), 15_000);
      const last = client.events.filter((e) => e.event === 'tick').at(-1)!.data as Tick;
      assert.equal(last.stages.find((s) => s.id === 'scores-topic')!.state, 'running');
    } finally {
      client.close();
    }
  });
});

describe('edge-ml dashboard on the command line', () => {
  test('no running platform: serves the page with every stage down and a hint naming edge-ml up; Ctrl-C exits 130', async () => {
    const port = await freePort();
    const cli = spawnCli(tempDir('edge-ml-dashboard-cli-'), ['dashboard', '--port', String(port)], { timeoutMs: 60_000 });
    let stdout = '';
    cli.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    await waitFor('the URL on stdout', () => stdout.includes('\n'), 30_000);
    assert.equal(stdout.split('\n')[0], `http://127.0.0.1:${port}/`, 'the URL first');
    const client = sseClient(`http://127.0.0.1:${port}/`);
    try {
      await waitFor('the snapshot', () => client.events.length > 0, 10_000);
      const snapshot = client.events[0]!.data as Snapshot;
      assert.equal(snapshot.stages.length, 6);
      for (const stage of snapshot.stages) {
        assert.equal(stage.state, 'down', stage.id);
        assert.match(stage.detail ?? '', /edge-ml up/, stage.id);
      }
      assert.equal((await rawGet(`http://127.0.0.1:${port}/`, '/')).status, 200);
    } finally {
      client.close();
    }
    cli.kill('SIGINT');
    const run = await cli;
    assert.equal(run.exitCode, 130, String(run.stderr));
  });

  test('a port in use: exit 1 naming the process that holds it', async () => {
    const port = await freePort();
    const holder = spawn(process.execPath, ['-e', `require('net').createServer().listen(${port}, '127.0.0.1', () => console.log('ready'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise((resolve) => holder.stdout!.once('data', resolve));
      const run = await spawnCli(tempDir('edge-ml-dashboard-cli-'), ['dashboard', '--port', String(port)], { timeoutMs: 30_000 });
      assert.equal(run.exitCode, 1, String(run.stderr));
      assert.match(String(run.stderr), new RegExp(`dashboard port 127\\.0\\.0\\.1:${port} is in use by pid ${holder.pid}`));
      assert.equal(String(run.stdout), '', 'no URL printed');
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
