import { LatencyHistogram } from '../generator/latency-histogram.js';
import { DetectionTally } from '../model/evaluate.js';
import { eventKey } from '../pipeline/labelled-run.js';
import { scoreEvent } from '../pipeline/run-events.js';
import type { Scenario } from '../scenario/scenario.js';
import type { TailedRecord } from '../tail/tail-record.js';
import type { Anomaly, CarTile, Detection, SeriesPoint, Snapshot, Tick } from './contract.js';
import type { LabelSource } from './labels.js';
import type { FlaggedWindow, WindowLocator } from './windows.js';

/** Every collection the dashboard keeps, capped: memory stays bounded whatever the fleet or the run length. */
export interface AggregatorBounds {
  /** Cars with a tile (and where their last normal window is); the least recently scored is evicted. */
  cars: number;
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
  feed: 200,
  flaggedWindows: 500,
  series: 300,
  recentScores: 600,
  scoresPerTick: 25,
  pendingJudgements: 100_000,
};

interface Judgement {
  key: string;
  score: number;
  arrivedAt: number;
  anomaly?: Anomaly;
}

type ScorePoint = { at: number; score: number };
/**
 * What the pages last got of a car's tile: whether it was flagged. A tile goes out again only
 * when it turns flagged or normal, the one thing it shows; the latest score is asked for when a
 * person points at the car (latestTile). At 1 msg/s per car, sending scores as they moved was
 * most of the SSE bytes and of the page's work (bench:dashboard, 10,000 cars).
 */
type SentTile = { flagged: boolean };
/**
 * A tile as the pages get it: a copy (the kept one changes in place with the next score), its
 * score to 4 significant digits. Rounded here, not per score: toPrecision was the costliest line
 * of onScore at 10,000 scores a second.
 */
function sentTile(tile: CarTile): CarTile {
  return { ...tile, score: Number(tile.score.toPrecision(4)) };
}

export type TickParts = Omit<Tick, 'at' | 'stages'>;
export type ViewParts = Omit<Snapshot, 'scenario' | 'stages'>;

/**
 * What the scores topic says, with the topics' end offsets, folded into the dashboard's view.
 * Records change the live state; tick() publishes what changed since the last tick, and view() is
 * the state as of the last tick, so a page that takes a snapshot and then the ticks sees every
 * anomaly exactly once. Windows are not kept, only where they are (window()): their readings
 * stay in the source topic until a page asks.
 */
export class Aggregator {
  private readonly threshold: number;
  private readonly cars = new Map<string, { tile: CarTile; lastNormal?: WindowLocator; sent?: SentTile }>();
  private readonly dirty = new Set<string>();
  private readonly flagged = new Map<string, { window: WindowLocator; lastNormal: WindowLocator | null }>();
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
  private count = { scored: 0, flagged: 0 };
  /** The source and anomalies topics' end offsets as last read, and the rates between the last two reads. */
  private ends: { at: number; source: number; anomalies: number } | undefined;
  private endRates = { messagesIn: 0, anomalies: 0 };
  private readonly latency = new LatencyHistogram();
  private lastPointAt: number;
  /** Anomalies per second over the last minute, for anomaliesPerMin. */
  private readonly minute: { at: number; n: number }[] = [];
  private lastRates = { messagesIn: 0, scored: 0, anomalies: 0 };

  constructor(
    scenario: Scenario,
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

  /**
   * Records written so far to the source and anomalies topics (their end offsets): their rates,
   * without reading their records. A count that went down is a new cluster: no rate across it.
   */
  onTopicEnds(ends: { source: number; anomalies: number }, at = Date.now()): void {
    const before = this.ends;
    this.ends = { at, ...ends };
    if (!before || at <= before.at || ends.source < before.source || ends.anomalies < before.anomalies) return;
    const seconds = (at - before.at) / 1000;
    this.endRates = { messagesIn: (ends.source - before.source) / seconds, anomalies: (ends.anomalies - before.anomalies) / seconds };
  }

  /** A record of the scores topic: key = MQTT topic, value = JSON {CARID, EVENTID, ANOMALY_VAL}. */
  onScore(record: TailedRecord, arrivedAt = Date.now()): void {
    const event = scoreEvent(record);
    if (!event || event.score === undefined) return;
    const { key, carId: car, eventId, score } = event;
    const at = record.timestamp;
    const flagged = score > this.threshold;
    this.count.scored += 1;
    this.sample(at, score);

    // Kafka Streams and ksqlDB give a score its source record's timestamp, so the two timestamps
    // alone would always say 0 ms: end to end is the score's arrival here minus that timestamp.
    this.latency.record(Math.max(0, arrivedAt - at));

    // Map order is recency: a car scored again moves to the end, the first is the one to evict.
    // Its state is updated in place: at 10,000 scores a second, allocations are GC time.
    let state = this.cars.get(car);
    if (state) {
      this.cars.delete(car);
      state.tile.score = score;
      state.tile.flagged = flagged;
      state.tile.at = at;
    } else {
      state = { tile: { car, score, flagged, at } };
    }
    this.cars.set(car, state);
    // A car that turned back before the tick goes out anyway, unchanged: harmless, and cheaper than checking.
    if (state.sent?.flagged !== flagged) this.dirty.add(car);
    if (this.cars.size > this.bounds.cars) {
      const evicted = this.cars.keys().next().value!;
      this.cars.delete(evicted);
      this.dirty.delete(evicted);
    }

    const window = record.key === null ? undefined : { key: record.key, event: eventId, score, at };
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
      state.sent = { flagged: state.tile.flagged };
      return sentTile(state.tile);
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
      fleet: [...this.cars.values()].map((c) => sentTile(c.tile)),
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

  /** A car's tile as of its latest score (ticks carry it only when it turns flagged or normal). */
  latestTile(car: string): CarTile | undefined {
    const tile = this.cars.get(car)?.tile;
    return tile && sentTile(tile);
  }

  get trackedCars(): number {
    return this.cars.size;
  }

  /** Where a flagged window and the car's last normal one before it are; undefined when no longer kept. */
  window(car: string, event: number): FlaggedWindow | undefined {
    const found = this.flagged.get(eventKey(car, event));
    return found && { car, flagged: found.window, lastNormal: found.lastNormal };
  }

  /** Uniform sample of this tick's scores (reservoir), so a busy fleet does not flood the chart. */
  private sample(at: number, score: number): void {
    this.scoresSinceTick += 1;
    if (this.sampled.length < this.bounds.scoresPerTick) this.sampled.push({ at, score });
    else {
      const slot = Math.floor(Math.random() * this.scoresSinceTick);
      if (slot < this.bounds.scoresPerTick) this.sampled[slot] = { at, score };
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
      messagesIn: Math.round(this.endRates.messagesIn * 10) / 10,
      scored: perS(this.count.scored),
      anomaliesPerMin: this.minute.reduce((sum, s) => sum + s.n, 0),
      latencyP50Ms: hasLatency ? Math.round(this.latency.quantile(0.5) * 10) / 10 : null,
      latencyP99Ms: hasLatency ? Math.round(this.latency.quantile(0.99) * 10) / 10 : null,
    };
    this.lastRates = { messagesIn: point.messagesIn, scored: point.scored, anomalies: Math.round(this.endRates.anomalies * 10) / 10 };
    this.count = { scored: 0, flagged: 0 };
    this.latency.reset();
    this.lastPointAt = now;
    this.series.push(point);
    if (this.series.length > this.bounds.series) this.series.shift();
    return point;
  }
}
