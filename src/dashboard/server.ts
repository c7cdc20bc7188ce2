import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../errors.js';
import { WINDOW_SIZE } from '../generator/signal.js';
import type { KafkaTarget } from '../kafka/kafka-client.js';
import { assertPortsFree } from '../runtime/ports.js';
import type { Scenario } from '../scenario/scenario.js';
import { Aggregator, DEFAULT_BOUNDS, type AggregatorBounds } from './aggregator.js';
import type { ScenarioInfo, Snapshot } from './contract.js';
import { KafkaFeed, type FeedStatus } from './kafka-feed.js';
import type { LabelSource } from './labels.js';
import { SseHub } from './sse.js';
import { readWindows } from './windows.js';
import { StageWatcher } from './stages.js';
import { PAGE_DIR, serveFile, VENDOR_DIR } from './static-files.js';

export interface DashboardOptions {
  host: string;
  /** 0: any free port (tests). */
  port: number;
  scenario: Scenario;
  /** Where the running platform is recorded: its status feeds the stages. */
  stateDir: string;
  /** The cluster to read, asked again on every reconnect; undefined while there is none. */
  target: () => KafkaTarget | undefined;
  labels?: LabelSource;
  /** Ticks go out at most this often (the contract: at most 4 a second). */
  tickMs?: number;
  bounds?: AggregatorBounds;
  /** Platform status poll interval. */
  statusPollMs?: number;
}

export interface Dashboard {
  url: string;
  aggregator: Aggregator;
  feedStatus(): FeedStatus;
  /** Connected pages. */
  clients(): number;
  useLabels(labels: LabelSource): void;
  /** Resolves once the consumer reads the topics and their end offsets were read (true), or after timeoutMs (false). */
  untilLive(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

const MIN_TICK_MS = 250;
/** How often the source and anomalies topics' end offsets are read for their rates. */
const ENDS_POLL_MS = 1000;

/** `edge-ml dashboard`: the page, its SSE stream and the window API, fed by one Kafka consumer. */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const { scenario, host } = options;
  if (options.port !== 0) await assertPortsFree([{ name: 'dashboard', host, port: options.port }]);
  const aggregator = new Aggregator(scenario, options.bounds ?? DEFAULT_BOUNDS);
  if (options.labels) aggregator.useLabels(options.labels);
  const { source, scores, anomalies } = scenario.streams;
  // Only the scores are read: their timestamps and keys say when and where each source record
  // is; the two other topics are counted by their end offsets.
  const feed = new KafkaFeed(options.target, { live: { [scores]: (r) => aggregator.onScore(r) }, onDemand: source });
  let reading: Promise<void> | undefined;
  let endsRead = false;
  const endsPoller = setInterval(() => {
    reading ??= feed
      .endOffsets([source, anomalies])
      .then((ends) => {
        if (!ends) return;
        aggregator.onTopicEnds({ source: ends[source]!, anomalies: ends[anomalies]! });
        endsRead = true;
      })
      .catch(() => undefined) // the feed's own status says when Kafka is gone
      .finally(() => (reading = undefined));
  }, ENDS_POLL_MS);
  const stages = new StageWatcher(options.stateDir, scenario, () => feed.status, () => aggregator.rates(), options.statusPollMs);
  const info: ScenarioInfo = { name: scenario.name, threshold: scenario.model.threshold, topics: { source, scores, anomalies }, windowLength: WINDOW_SIZE };
  const snapshot = (): Snapshot => ({ scenario: info, stages: stages.stages(), ...aggregator.view() });
  const hub = new SseHub(snapshot);

  // Coalesced: one tick carries everything since the last; nothing is sent when nothing changed.
  const ticker = setInterval(() => {
    const parts = aggregator.tick();
    if (parts.fleet.length > 0 || parts.feed.length > 0 || parts.point || parts.scores.length > 0) {
      hub.broadcast({ at: Date.now(), stages: stages.stages(), ...parts });
    }
  }, Math.max(MIN_TICK_MS, options.tickMs ?? MIN_TICK_MS));

  const server = createServer((req, res) => {
    route(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) return answer(res, 405, { error: 'GET only' }, { Allow: 'GET, HEAD' });
    const path = url.pathname;
    if (path === '/events') return hub.add(req, res);
    if (path === '/api/window') return windowView(res, url);
    if (path === '/api/car') return carTile(res, url);
    // The raw path, not the URL-normalised one: /assets/../x must be refused, not turned into /x.
    const raw = (req.url ?? '/').split('?')[0]!;
    const served =
      raw === '/' || raw === '/index.html'
        ? await serveFile(res, PAGE_DIR, 'index.html', head)
        : raw.startsWith('/assets/')
          ? await serveFile(res, PAGE_DIR, raw.slice('/assets/'.length), head)
          : raw.startsWith('/vendor/')
            ? await serveFile(res, VENDOR_DIR, raw.slice('/vendor/'.length), head)
            : false;
    if (!served) answer(res, 404, { error: 'not found' });
  }
  function carTile(res: ServerResponse, url: URL): void {
    const car = url.searchParams.get('car');
    if (!car) return answer(res, 400, { error: 'expected ?car=C' });
    const tile = aggregator.latestTile(car);
    if (!tile) return answer(res, 404, { error: `car ${car} is not among the cars this dashboard tracks` });
    answer(res, 200, tile);
  }
  async function windowView(res: ServerResponse, url: URL): Promise<void> {
    const car = url.searchParams.get('car');
    const eventText = url.searchParams.get('event') ?? '';
    const event = Number(eventText);
    if (!car || !/^-?\d+$/.test(eventText)) return answer(res, 400, { error: 'expected ?car=C&event=E (E a whole number)' });
    const windows = aggregator.window(car, event);
    if (!windows) return answer(res, 404, { error: `car ${car}'s event ${event} is not among the recent anomalies this dashboard saw` });
    let view;
    try {
      view = await readWindows(windows, scenario.model.threshold, (wanted) => feed.lookup(wanted));
    } catch (err) {
      return answer(res, 503, { error: `could not read the window from ${source}: ${errorMessage(err)}` });
    }
    if (typeof view === 'string') return answer(res, 404, { error: view });
    answer(res, 200, view);
  }

  server.listen({ host, port: options.port, exclusive: true });
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(err as Error))]);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    aggregator,
    feedStatus: () => feed.status,
    clients: () => hub.size,
    useLabels: (labels) => aggregator.useLabels(labels),
    async untilLive(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (feed.status.state !== 'live' || !endsRead) {
        if (Date.now() > deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return true;
    },
    async close() {
      clearInterval(ticker);
      clearInterval(endsPoller);
      hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([feed.close(), stages.close()]);
      aggregator.closeLabels();
    },
  };
}

function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}
