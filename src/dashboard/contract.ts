/**
 * What the dashboard server sends the page: one contract, shared by src/dashboard (server) and
 * dashboard/ (the page). JSON over Server-Sent Events on GET /events, plus GET /api/window.
 *
 *   GET /                     the page (dashboard/index.html)
 *   GET /assets/<file>        the page's own files (dashboard/), GET /vendor/<file> uPlot's dist files
 *   GET /events               SSE, `retry: 2000`: `event: snapshot` first (the whole view), then
 *                             `event: tick` at most 4 times a second (what changed)
 *   GET /api/window?car=C&event=E   200 WindowView (its readings read from the source topic);
 *                             404 when the anomaly is no longer among the recent ones or Kafka no
 *                             longer holds its window, 503 when Kafka cannot be read; {error} says which
 *   GET /api/car?car=C        200 CarTile as of the car's latest score, 404 for a car not tracked
 *
 * Times are epoch milliseconds. Every list is bounded by the server.
 */

export type StageId = 'cars' | 'mqtt-endpoint' | 'source-topic' | 'processor' | 'scores-topic' | 'anomalies-topic';

export interface Stage {
  id: StageId;
  /** What the page shows: "cars", "MQTT endpoint", "temperature", "ANOMALY UDF", "ANOMALYDETECTION" ... */
  label: string;
  /** down: the component is not running or not reachable; unknown: nothing known yet. */
  state: 'running' | 'starting' | 'down' | 'unknown';
  /** Records per second through this stage over the last second or two; null when not known. */
  ratePerS: number | null;
  /** One line: why it is down, or a counter ("produced 12,345"). */
  detail?: string;
}

export interface CarTile {
  car: string;
  /** Latest score (reconstruction error) and whether it is above the threshold. */
  score: number;
  flagged: boolean;
  at: number;
}

export interface Anomaly {
  at: number;
  car: string;
  event: number;
  score: number;
  /** The injected fault kind when the cars carry labels, else undefined. */
  label?: string;
}

export interface Detection {
  /** Injected faults scored so far (caught + missed). */
  labelled: number;
  caught: number;
  missed: number;
  falseAlarms: number;
  recall: number | null;
  precision: number | null;
}

export interface SeriesPoint {
  at: number;
  /** Records per second into the source topic. */
  messagesIn: number;
  /** Scores per second. */
  scored: number;
  /** Anomalies in the last minute. */
  anomaliesPerMin: number;
  /** End to end: score record timestamp minus source record timestamp, ms; null without data. */
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
}

export interface ScenarioInfo {
  name: string;
  threshold: number;
  topics: { source: string; scores: string; anomalies: string };
  /** Readings per window (210 in connected-cars). */
  windowLength: number;
}

export interface Snapshot {
  scenario: ScenarioInfo;
  stages: Stage[];
  fleet: CarTile[];
  /** Newest first. */
  feed: Anomaly[];
  /** Oldest first, about one point a second, bounded (a few minutes). */
  series: SeriesPoint[];
  /** Recent scores for the log-axis chart, oldest first, bounded and sampled. */
  recentScores: { at: number; score: number }[];
  /** null when the cars carry no labels. */
  detection: Detection | null;
}

export interface Tick {
  at: number;
  stages: Stage[];
  /** New cars and cars that turned flagged or normal since the last tick, as of that score (GET /api/car has the latest). */
  fleet: CarTile[];
  /** New anomalies since the last tick, newest first. */
  feed: Anomaly[];
  /** A new series point when a second has passed, else null. */
  point: SeriesPoint | null;
  /** New recent scores since the last tick (sampled). */
  scores: { at: number; score: number }[];
  detection: Detection | null;
}

export interface WindowReadings {
  event: number;
  score: number;
  readings: number[];
}

export interface WindowView {
  car: string;
  threshold: number;
  flagged: WindowReadings;
  /** The same car's last window under the threshold before the flagged one, if the server has it. */
  lastNormal: WindowReadings | null;
}
