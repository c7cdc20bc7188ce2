import type { MqttClientSettings } from '../generator/car-connection.js';
import type { FaultKind } from '../generator/faults.js';
import type { RunReporter } from '../generator/publish-run.js';
import { evaluateScores } from '../model/evaluate.js';
import type { Endpoints, Reporter, Runtime, UpOptions } from '../runtime/types.js';
import { eventKey, LabelledRun } from './labelled-run.js';
import { collectRunEvents, scoreEvent, sensorEvent } from './run-events.js';

export interface SmokeOptions {
  cars: number;
  messages: number;
  minRecall: number;
  minPrecision: number;
  seed: number;
  /** How long to wait for the last events to be scored. */
  scoreTimeoutS: number;
  /** Leave the platform running afterwards. */
  keep: boolean;
  /** How the cars log in, and the CA they check an MQTTS endpoint against. */
  client: MqttClientSettings;
}

export interface SmokeCheck {
  name: string;
  passed: boolean;
  detail: string;
}

export interface SmokeReport {
  passed: boolean;
  recall: number;
  precision: number;
  perKind: Record<FaultKind, number | null>;
  threshold: number;
  /** Messages sent and acknowledged by the MQTT endpoint. */
  published: number;
  acked: number;
  /** Records of this run in the source topic. */
  landed: number;
  /** Distinct events of this run in the scores stream. */
  scored: number;
  /** Acknowledged events that never reached the scores stream. */
  lost: number;
  durationS: number;
  checks: SmokeCheck[];
  /** Whether the platform was left running (--keep, or it was up before the smoke). */
  keptRunning: boolean;
}

/**
 * The tutorial as a test: bring the platform up, publish labelled cars, read every event back from
 * the source topic and both streams, score detection against the labels, check nothing was lost,
 * and take the platform down again unless it was already up or --keep says otherwise.
 */
export async function runSmoke(runtime: Runtime, upOptions: UpOptions, options: SmokeOptions, reporter: Reporter & RunReporter): Promise<SmokeReport> {
  const started = performance.now();
  const wasUp = (await runtime.status()).running;
  const status = await runtime.up(upOptions, reporter);
  const keptRunning = options.keep || wasUp;
  try {
    return await smokeRun(status.endpoints!, upOptions, options, reporter, started, keptRunning);
  } finally {
    if (!keptRunning) await runtime.down({ volumes: false, deleteTopics: false }, reporter);
  }
}

async function smokeRun(
  endpoints: Endpoints,
  { scenario, attach }: UpOptions,
  options: SmokeOptions,
  reporter: Reporter & RunReporter,
  started: number,
  keptRunning: boolean,
): Promise<SmokeReport> {
  const run = new LabelledRun(
    {
      endpoints,
      client: options.client,
      scenario,
      cars: options.cars,
      count: options.messages,
      rate: 0,
      seed: options.seed,
      anomalyRate: scenario.generator.anomalyRate,
      clientPrefix: 'edge-ml-smoke-',
    },
    reporter,
  );
  const { summary, faults } = await reporter.step(`publishing ${options.cars} cars x ${options.messages} messages with labelled faults (QoS 1)`, () => run.result());
  const carIds = new Set(run.carNames);
  const events = run.carNames.flatMap((car) => Array.from({ length: options.messages }, (_, i) => eventKey(car, i + 1)));
  const timeoutMs = options.scoreTimeoutS * 1000;
  const common = { kafka: attach?.target ?? { bootstrap: endpoints.bootstrapServers }, carIds, timeoutMs };

  const landed = await reporter.step(`reading them back from ${scenario.streams.source}`, () =>
    collectRunEvents({ ...common, topic: scenario.streams.source, read: sensorEvent(scenario), expected: summary.acked }),
  );
  const scores = await reporter.step(`waiting for every event in ${scenario.streams.scores}`, () =>
    collectRunEvents({ ...common, topic: scenario.streams.scores, read: scoreEvent, expected: summary.acked }),
  );
  const threshold = scenario.model.threshold;
  const aboveThreshold = [...scores].filter(([, s]) => s.some((v) => v !== undefined && v > threshold)).map(([key]) => key);
  const anomalies = await reporter.step(`reading ${scenario.streams.anomalies}`, () =>
    collectRunEvents({ ...common, topic: scenario.streams.anomalies, read: scoreEvent, expected: aboveThreshold.length, idleTimeoutMs: 10_000 }),
  );

  const quality = evaluateScores(
    events.map((key) => ({ fault: faults.get(key) })),
    events.map((key) => (anomalies.has(key) ? (anomalies.get(key)![0] ?? null) : (scores.get(key)?.[0] ?? null))),
    threshold,
  );
  const landedRecords = [...landed.values()].reduce((n, list) => n + list.length, 0);
  const duplicates = [...scores.values()].filter((list) => list.length > 1).length;
  const lost = events.filter((key) => !scores.has(key)).length;
  const filterMismatch = aboveThreshold.filter((key) => !anomalies.has(key)).length + [...anomalies.keys()].filter((key) => !aboveThreshold.includes(key)).length;

  const checks: SmokeCheck[] = [
    { name: 'published', passed: summary.acked === events.length && summary.failed === 0, detail: `${summary.acked} of ${events.length} publishes acknowledged, ${summary.failed} failed` },
    { name: 'landed', passed: landedRecords === summary.acked, detail: `${landedRecords} records in ${scenario.streams.source} for ${summary.acked} acknowledged publishes` },
    { name: 'scored once', passed: lost === 0 && duplicates === 0, detail: `${scores.size} of ${events.length} events in ${scenario.streams.scores}, ${lost} missing, ${duplicates} scored more than once` },
    { name: 'filter', passed: filterMismatch === 0, detail: `${anomalies.size} events in ${scenario.streams.anomalies}, ${aboveThreshold.length} scored above ${threshold}` },
    { name: 'recall', passed: quality.recall >= options.minRecall, detail: `${quality.recall} (minimum ${options.minRecall}) over ${quality.anomalies} injected faults` },
    { name: 'precision', passed: quality.precision >= options.minPrecision, detail: `${quality.precision} (minimum ${options.minPrecision})` },
  ];
  return {
    passed: checks.every((c) => c.passed),
    recall: quality.recall,
    precision: quality.precision,
    perKind: quality.perKind,
    threshold,
    published: summary.sent,
    acked: summary.acked,
    landed: landedRecords,
    scored: scores.size,
    lost,
    durationS: Math.round((performance.now() - started) / 100) / 10,
    checks,
    keptRunning,
  };
}
