/**
 * A contract-replay server for the dashboard page: node:http serving the page (dashboard/) and
 * uPlot's dist files the way `edge-ml dashboard` does (src/dashboard/contract.ts), and Server-Sent
 * Events the test constructs: a snapshot on every connection, then the ticks the test sends.
 * It is NOT the real server: it lets the page be tested in a browser without Kafka or the server.
 *
 * The replay keeps the "world" (a Snapshot) and applies every tick to it, so that a tab opened
 * later, or a page reconnecting after a restart, gets a snapshot that agrees with the ticks.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Anomaly, CarTile, Detection, SeriesPoint, Snapshot, Stage, StageId, Tick, WindowView } from '../../src/dashboard/contract.js';

/** The repository root, from test/support (tsc's outDir moves this file to dist/test/support). */
export const REPO_ROOT = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== 'edge-ml') {
    const up = dirname(dir);
    if (up === dir) throw new Error('edge-ml package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
})();

const PAGE_DIR = join(REPO_ROOT, 'dashboard');
const VENDOR_DIR = join(REPO_ROOT, 'node_modules', 'uplot', 'dist');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};
/** One path segment: no slash, no "..", so no file outside the two folders can be named. */
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export class DashboardReplay {
  readonly windows = new Map<string, WindowView>();
  /** Every path the page asked for, in order ("/events", "/api/window?car=3&event=12", ...). */
  readonly served: string[] = [];
  private server: Server | null = null;
  private readonly clients = new Set<ServerResponse>();
  private portNumber = 0;

  constructor(public world: Snapshot, private readonly retryMs = 1000) {}

  get url(): string {
    return `http://127.0.0.1:${this.portNumber}`;
  }

  /** Listens on the given port, or the one it had before (a restart), or a free one. */
  async start(port = this.portNumber): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500).end(err.message);
    }));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.portNumber = typeof address === 'object' && address ? address.port : port;
    this.server = server;
  }

  /** Drops every SSE connection and stops listening, as a dashboard that exits would. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const res of this.clients) res.destroy();
    this.clients.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get connections(): number {
    return this.clients.size;
  }

  /** Applies a tick to the world and sends it to every connected page. */
  tick(tick: Tick): void {
    const w = this.world;
    w.stages = tick.stages;
    const at = new Map(w.fleet.map((t, i) => [t.car, i]));
    for (const tile of tick.fleet) {
      const i = at.get(tile.car);
      if (i === undefined) w.fleet.push(tile);
      else w.fleet[i] = tile;
    }
    w.feed = [...tick.feed, ...w.feed].slice(0, 100);
    if (tick.point) w.series = [...w.series, tick.point].slice(-300);
    w.recentScores = [...w.recentScores, ...tick.scores].slice(-1000);
    w.detection = tick.detection;
    this.broadcast('tick', tick);
  }

  private broadcast(event: string, data: unknown): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of this.clients) res.write(frame);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://replay');
    this.served.push(url.pathname + url.search);
    if (req.method !== 'GET') return void res.writeHead(405).end();
    if (url.pathname === '/') return this.file(res, join(PAGE_DIR, 'index.html'));
    const asset = /^\/(assets|vendor)\/([^/]+)$/.exec(url.pathname);
    if (asset && FILE_NAME.test(asset[2])) return this.file(res, join(asset[1] === 'assets' ? PAGE_DIR : VENDOR_DIR, asset[2]));
    if (url.pathname === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.write(`retry: ${this.retryMs}\n\n`);
      res.write(`event: snapshot\ndata: ${JSON.stringify(this.world)}\n\n`);
      this.clients.add(res);
      res.on('close', () => this.clients.delete(res));
      return;
    }
    if (url.pathname === '/api/window') {
      const view = this.windows.get(windowKey(url.searchParams.get('car') ?? '', Number(url.searchParams.get('event'))));
      if (!view) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such window"}');
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(view));
    }
    if (url.pathname === '/api/car') {
      const tile = this.world.fleet.find((t) => t.car === url.searchParams.get('car'));
      if (!tile) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such car"}');
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(tile));
    }
    res.writeHead(404).end();
  }

  private async file(res: ServerResponse, path: string): Promise<void> {
    let body: Buffer;
    try {
      body = await readFile(path);
    } catch {
      return void res.writeHead(404).end();
    }
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-cache' }).end(body);
  }
}

export const windowKey = (car: string, event: number): string => `${car}#${event}`;

// ---------------------------------------------------------------------------------------------
// Made-up but plausible data: the connected-cars scenario's threshold and window length.

export const THRESHOLD = 0.000387;
export const WINDOW_LENGTH = 210;

const LABELS: Record<StageId, string> = {
  cars: 'cars',
  'mqtt-endpoint': 'MQTT endpoint',
  'source-topic': 'temperature',
  processor: 'ANOMALY UDF',
  'scores-topic': 'ANOMALYDETECTION',
  'anomalies-topic': 'ANOMALYDETECTIONWITHFILTER',
};

/** All six stages in one state, with rates for a fleet sending one message a second per car. */
export function stages(state: Stage['state'], cars: number, anomaliesPerS = 0.05): Stage[] {
  const rate = (r: number): number | null => (state === 'running' ? r : null);
  return (Object.keys(LABELS) as StageId[]).map((id) => ({
    id,
    label: LABELS[id],
    state,
    ratePerS: id === 'anomalies-topic' ? rate(anomaliesPerS) : rate(cars),
    ...(state === 'down' ? { detail: 'not running: start it with edge-ml up' } : {}),
  }));
}

/** A deterministic pseudo-random sequence (mulberry32), so screenshots and runs agree. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A normal score: log-normal around half the threshold, as the real model scores normal windows. */
export function normalScore(rnd: () => number): number {
  return THRESHOLD * 0.55 * Math.exp((rnd() - 0.5) * 0.8);
}

export function tile(car: string, score: number, at: number): CarTile {
  return { car, score, flagged: score > THRESHOLD, at };
}

/**
 * 210 engine temperatures in the generator's range (smooth traces in [2, 8], as the seed's sample
 * message): a normal drive, or with a fault (a level shift and a drift) injected.
 */
export function readings(rnd: () => number, faulty: boolean): number[] {
  return Array.from({ length: WINDOW_LENGTH }, (_, i) => {
    const base = 5 + 0.8 * Math.sin(i / 18) + (rnd() - 0.5) * 0.06;
    if (!faulty) return Number(base.toFixed(2));
    return Number((base + (i > 120 && i < 150 ? 1.5 : 0) + (i > 150 ? (i - 150) * 0.02 : 0)).toFixed(2));
  });
}

export interface WorldOptions {
  cars: number;
  now: number;
  labels: boolean;
  seed?: number;
  /** Seconds of history for the charts. */
  history?: number;
}

/** A snapshot of a running pipeline with `cars` cars, a few past anomalies and chart history. */
export function world(options: WorldOptions): Snapshot {
  const rnd = random(options.seed ?? 12);
  const { cars, now } = options;
  const history = options.history ?? 120;
  const fleet = Array.from({ length: cars }, (_, i) => tile(String(i + 1), normalScore(rnd), now - 500));
  const series: SeriesPoint[] = Array.from({ length: history }, (_, i) => ({
    at: now - (history - i) * 1000,
    messagesIn: cars * (0.95 + rnd() * 0.1),
    scored: cars * (0.93 + rnd() * 0.1),
    anomaliesPerMin: Math.round(cars * 0.05 * (0.5 + rnd())),
    latencyP50Ms: 35 + rnd() * 10,
    latencyP99Ms: 90 + rnd() * 60,
  }));
  const recentScores = Array.from({ length: 400 }, (_, i) => ({
    at: now - (400 - i) * 300,
    score: rnd() < 0.03 ? THRESHOLD * (2 + rnd() * 30) : normalScore(rnd),
  }));
  const feed: Anomaly[] = [3, 11, 17].map((car, i) => ({
    at: now - (i + 1) * 9000,
    car: String(car),
    event: 40 - i * 3,
    score: THRESHOLD * (3 + i * 4),
    ...(options.labels ? { label: ['spike', 'drift', 'spike'][i] } : {}),
  }));
  return {
    scenario: { name: 'connected-cars', threshold: THRESHOLD, topics: { source: 'temperature', scores: 'ANOMALYDETECTION', anomalies: 'ANOMALYDETECTIONWITHFILTER' }, windowLength: WINDOW_LENGTH },
    stages: stages('running', cars),
    fleet,
    feed,
    series,
    recentScores,
    detection: options.labels ? detection(3, 1, 0) : null,
  };
}

export function detection(caught: number, missed: number, falseAlarms: number): Detection {
  const round = (v: number): number => Math.round(v * 10000) / 10000;
  return {
    // As the server counts: the injected faults among the scored windows.
    labelled: caught + missed,
    caught,
    missed,
    falseAlarms,
    recall: caught + missed > 0 ? round(caught / (caught + missed)) : null,
    precision: caught + falseAlarms > 0 ? round(caught / (caught + falseAlarms)) : null,
  };
}
