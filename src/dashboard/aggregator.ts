import { LatencyHistogram } from '../generator/latency-histogram.js';
import { parsePayload } from '../generator/payload.js';
import { DetectionTally } from '../model/evaluate.js';
import { eventKey } from '../pipeline/labelled-run.js';
import { scoreEvent } from '../pipeline/run-events.js';
import { carIdOfTopic, type Scenario } from '../scenario/scenario.js';
import type { TailedRecord } from '../tail/tail-record.js';
import type { Anomaly, CarTile, Detection, SeriesPoint, Snapshot, Tick, WindowReadings, WindowView } from './contract.js';
import type { LabelSource } from './labels.js';

/** Every collection the dashboard keeps, capped: memory stays bounded whatever the fleet or the run length. */
export interface AggregatorBounds {
  /** Cars with a tile (and a last normal window); the least recently scored is evicted. */
  cars: number;
  /** Source records waiting for their score (the latency join, and the window to keep). */
  pendingWindows: number;
  /** Anomalies in the feed. */
  feed: number;
  /** Flagged windows /api/window can return (more than the feed, so a feed entry stays selectable). */
  flaggedWindows: number;
  /** Series points, one a second. */
  series: number;
  /** Scores kept for the log-axis chart, and how many a tick samples at most. */
  recentScores: number;
  scoresPerTick: number;
  /** Scores waiting for their labels to be read. */
  pendingJudgements: number;
}

export const DEFAULT_BOUNDS: AggregatorBounds = {
  cars: 20_000,
  pendingWindows: 20_000,
  feed: 200,
  flaggedWindows: 500,
  series: 300,
  recentScores: 600,
  scoresPerTick: 25,
  pendingJudgements: 100_000,
};

/** A window's source payload, kept as bytes and parsed only when a page asks for it. */
interface StoredWindow {
  event: number;
  score: number;
  raw: Buffer;
}

interface Judgement {
  key: string;
  score: number;
  arrivedAt: number;
  anomaly?: Anomaly;
}

type ScorePoint = { at: number; score: number };
/** What the pages last got of a car's tile. */
type SentTile = { score: number; flagged: boolean; sentAt: number };

/**
 * A tile goes out again when it turns flagged or normal, its score moves by more than this
 * fraction, or this long has passed: at 1 msg/s per car, sending every score made the fleet
 * updates most of the dashboard's CPU and the page's frame time (bench:dashboard, 10,000 cars).
 */
const TILE_SCORE_STEP = 0.25;
const TILE_REFRESH_MS = 5000;

function tileChanged(sent: SentTile | undefined, tile: CarTile, now: number): boolean {
  return !sent || sent.flagged !== tile.flagged || Math.abs(tile.score - sent.score) > sent.score * TILE_SCORE_STEP || now - sent.sentAt >= TILE_REFRESH_MS;
}
export type TickParts = Omit<Tick, 'at' | 'stages'>;
export type ViewParts = Omit<Snapshot, 'scenario' | 'stages'>;

/**
 * What the three topics say, folded into the dashboard's view. Records change the live state;
 * tick() publishes what changed since the last tick, and view() is the state as of the last tick,
 * so a page that takes a snapshot and then the ticks sees every anomaly exactly once.
 */
export class Aggregator {
  private readonly threshold: number;
  private readonly cars = new Map<string, { tile: CarTile; lastNormal?: StoredWindow; sent?: SentTile }>();
  private readonly dirty = new Set<string>();
  private readonly pending = new Map<string, { at: number; raw: Buffer }>();
  private readonly flagged = new Map<string, { window: StoredWindow; lastNormal: StoredWindow | null }>();
  private feed: Anomaly[] = [];
  private newFeed: Anomaly[] = [];
  private readonly series: SeriesPoint[] = [];
  private recent: ScorePoint[] = [];
  private sampled: ScorePoint[] = [];
  private scoresSinceTick = 0;
  private judgements: Judgement[] = [];
  private labels: LabelSource | null = null;
  private tally: DetectionTally;
  /** Counted since the last series point. */
  private count = { source: 0, scored: 0, flagged: 0, anomalies: 0 };
  private readonly latency = new LatencyHistogram();
  private lastPointAt: number;
  /** Anomalies per second over the last minute, for anomaliesPerMin. */
  private readonly minute: { at: number; n: number }[] = [];
  private lastRates = { messagesIn: 0, scored: 0, anomalies: 0 };

  constructor(
    private readonly scenario: Scenario,
    private readonly bounds: AggregatorBounds = DEFAULT_BOUNDS,
    now = Date.now(),
  ) {
    this.threshold = scenario.model.threshold;
    this.tally = new DetectionTally(this.threshold);
    this.lastPointAt = now;
  }

  /** Labels to score detection against from now on (the demo's arrive when its cars start). */
  useLabels(labels: LabelSource): void {
    this.labels?.close();
    this.labels = labels;
    this.tally = new DetectionTally(this.threshold);
    this.judgements = [];
  }

  closeLabels(): void {
    this.labels?.close();
  }

  /** A record of the source topic: key = MQTT topic, value = `eventId,r1# r2# ...`. */
  onSource(record: TailedRecord): void {
    this.count.source += 1;
    if (record.key === null || record.value === null) return;
    // Only the event id is read here: parsing 210 readings of every message would cost more CPU
    // than the rest of the dashboard, and a window is parsed only when a page asks for it.
    const comma = record.value.indexOf(0x2c);
    const eventId = comma > 0 ? Number(record.value.toString('latin1', 0, comma)) : NaN;
    if (!Number.isInteger(eventId)) return;
    const key = eventKey(carIdOfTopic(this.scenario, record.key), eventId);
    // A copy: kafkajs's value is a slice of the whole fetch response, which it would keep alive.
    this.pending.set(key, { at: record.timestamp, raw: Buffer.from(record.value) });
    if (this.pending.size > this.bounds.pendingWindows) this.pending.delete(this.pending.keys().next().value!);
  }

  /** A record of the scores topic: JSON {CARID, EVENTID, ANOMALY_VAL}. */
  onScore(record: TailedRecord, arrivedAt = Date.now()): void {
    const event = scoreEvent(record);
    if (!event || event.score === undefined) return;
    const { key, carId: car, eventId, score } = event;
    const at = record.timestamp;
    const flagged = score > this.threshold;
    this.count.scored += 1;
    this.sample({ at, score });

    const source = this.pending.get(key);
    this.pending.delete(key);
    // Kafka Streams gives a score its source record's timestamp, so the record timestamps alone
    // would always say 0 ms: end to end is the score's arrival here minus the source's timestamp.
    if (source) this.latency.record(Math.max(0, arrivedAt - source.at));

    // Map order is recency: a car scored again moves to the end, the first is the one to evict.
    const previous = this.cars.get(car);
    this.cars.delete(car);
    const state = { tile: { car, score: Number(score.toPrecision(4)), flagged, at }, lastNormal: previous?.lastNormal, sent: previous?.sent };
    this.cars.set(car, state);
    if (tileChanged(state.sent, state.tile, arrivedAt)) this.dirty.add(car);
    else this.dirty.delete(car);
    if (this.cars.size > this.bounds.cars) {
      const evicted = this.cars.keys().next().value!;
      this.cars.delete(evicted);
      this.dirty.delete(evicted);
    }

    const window = source && { event: eventId, score, raw: source.raw };
    let anomaly: Anomaly | undefined;
    if (flagged) {
      this.count.flagged += 1;
      anomaly = { at, car, event: eventId, score };
      this.newFeed.push(anomaly);
      if (window) {
        this.flagged.set(key, { window, lastNormal: state.lastNormal ?? null });
        if (this.flagged.size > this.bounds.flaggedWindows) this.flagged.delete(this.flagged.keys().next().value!);
      }
    } else if (window) {
      state.lastNormal = window;
    }
    if (this.labels?.covers(car)) {
      this.judgements.push({ key, score, arrivedAt, anomaly });
      if (this.judgements.length > this.bounds.pendingJudgements) this.judge(this.judgements.length - this.bounds.pendingJudgements);
    }
  }

  /** A record of the anomalies topic: counted for its stage's rate (the feed comes from the scores). */
  onAnomaly(): void {
    this.count.anomalies += 1;
  }

  /** What changed since the last tick; a series point when a second has passed. */
  tick(now = Date.now()): TickParts {
    if (this.labels) {
      const upTo = this.labels.upTo();
      let ready = 0;
      while (ready < this.judgements.length && this.judgements[ready]!.arrivedAt <= upTo) ready++;
      this.judge(ready);
    }
    const fleet = [...this.dirty].map((car) => {
      const state = this.cars.get(car)!;
      state.sent = { score: state.tile.score, flagged: state.tile.flagged, sentAt: now };
      return state.tile;
    });
    this.dirty.clear();
    const feed = this.newFeed.reverse();
    this.newFeed = [];
    this.feed = [...feed, ...this.feed].slice(0, this.bounds.feed);
    const scores = this.sampled.sort((a, b) => a.at - b.at);
    this.sampled = [];
    this.scoresSinceTick = 0;
    this.recent = [...this.recent, ...scores].slice(-this.bounds.recentScores);
    const point = now - this.lastPointAt >= 1000 ? this.point(now) : null;
    return { fleet, feed, point, scores, detection: this.detection() };
  }

  /** The state as of the last tick. */
  view(): ViewParts {
    return {
      fleet: [...this.cars.values()].map((c) => c.tile),
      feed: [...this.feed],
      series: [...this.series],
      recentScores: [...this.recent],
      detection: this.detection(),
    };
  }

  /** Records per second over the last series point. */
  rates(): { messagesIn: number; scored: number; anomalies: number } {
    return this.lastRates;
  }

  get trackedCars(): number {
    return this.cars.size;
  }

  /** A flagged window beside the car's last normal one before it; undefined when no longer kept. */
  window(car: string, event: number): WindowView | undefined {
    const found = this.flagged.get(eventKey(car, event));
    if (!found) return undefined;
    return { car, threshold: this.threshold, flagged: readingsOf(found.window), lastNormal: found.lastNormal && readingsOf(found.lastNormal) };
  }

  /** Uniform sample of this tick's scores (reservoir), so a busy fleet does not flood the chart. */
  private sample(point: ScorePoint): void {
    this.scoresSinceTick += 1;
    if (this.sampled.length < this.bounds.scoresPerTick) this.sampled.push(point);
    else {
      const slot = Math.floor(Math.random() * this.scoresSinceTick);
      if (slot < this.bounds.scoresPerTick) this.sampled[slot] = point;
    }
  }

  private judge(n: number): void {
    for (const j of this.judgements.slice(0, n)) {
      const kind = this.labels!.take(j.key);
      this.tally.add(kind, j.score);
      if (j.anomaly && kind) j.anomaly.label = kind;
    }
    this.judgements.splice(0, n);
  }

  private detection(): Detection | null {
    if (!this.labels) return null;
    const { truePositives, flagged, anomalies } = this.tally;
    const report = this.tally.report();
    return {
      labelled: anomalies,
      caught: truePositives,
      missed: anomalies - truePositives,
      falseAlarms: flagged - truePositives,
      recall: anomalies > 0 ? report.recall : null,
      precision: flagged > 0 ? report.precision : null,
    };
  }

  private point(now: number): SeriesPoint {
    const seconds = (now - this.lastPointAt) / 1000;
    const perS = (n: number): number => Math.round((n / seconds) * 10) / 10;
    this.minute.push({ at: now, n: this.count.flagged });
    while (this.minute[0]!.at <= now - 60_000) this.minute.shift();
    const hasLatency = this.latency.count > 0;
    const point: SeriesPoint = {
      at: now,
      messagesIn: perS(this.count.source),
      scored: perS(this.count.scored),
      anomaliesPerMin: this.minute.reduce((sum, s) => sum + s.n, 0),
      latencyP50Ms: hasLatency ? Math.round(this.latency.quantile(0.5) * 10) / 10 : null,
      latencyP99Ms: hasLatency ? Math.round(this.latency.quantile(0.99) * 10) / 10 : null,
    };
    this.lastRates = { messagesIn: point.messagesIn, scored: point.scored, anomalies: perS(this.count.anomalies) };
    this.count = { source: 0, scored: 0, flagged: 0, anomalies: 0 };
    this.latency.reset();
    this.lastPointAt = now;
    this.series.push(point);
    if (this.series.length > this.bounds.series) this.series.shift();
    return point;
  }
}

function readingsOf(window: StoredWindow): WindowReadings {
  const parsed = parsePayload(window.raw.toString('latin1'));
  return { event: window.event, score: window.score, readings: typeof parsed === 'string' ? [] : parsed.readings };
}
