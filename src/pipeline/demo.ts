import type { MqttClientSettings } from '../generator/car-connection.js';
import type { FaultKind } from '../generator/faults.js';
import type { RunReporter } from '../generator/publish-run.js';
import { evaluateScores, type EvalReport } from '../model/evaluate.js';
import type { Runtime, UpOptions } from '../runtime/types.js';
import { requestedMqtt } from '../runtime/docker-compose.js';
import { tailTopic } from '../tail/tail-consumer.js';
import { recordLine } from '../tail/tail-record.js';
import { locateUdfJar } from '../udf/jars.js';
import { renderStatus } from '../ui/status-view.js';
import type { Ui } from '../ui/ui.js';
import { LabelledRun } from './labelled-run.js';
import { collectRunEvents, scoreEvent, sensorEvent } from './run-events.js';

export interface DemoOptions {
  cars: number;
  /** Messages per second per car. */
  rate: number;
  durationS: number;
  seed: number;
  /** Aborted by Ctrl-C: the demo ends early, with its summary. */
  signal: AbortSignal;
  /** Given the run's labels and cars before they drive; the cars wait for it (a dashboard getting ready). */
  beforeCars?: (faults: ReadonlyMap<string, FaultKind>, cars: ReadonlySet<string>) => Promise<void>;
  /** How the cars log in, and the CA they check an MQTTS endpoint against. */
  client: MqttClientSettings;
}

export interface DemoSummary {
  cars: number;
  events: number;
  faultsInjected: number;
  anomaliesFlagged: number;
  quality: EvalReport;
}

const LIVE_LINE_INTERVAL_MS = { tty: 500, plain: 5000 };

const RUNTIME_STORY: Record<Runtime['name'] | 'docker-endpoint', string> = {
  local:
    'The embedded runtime: a real Apache Kafka broker (KRaft), an MQTT broker standing in for the Confluent\n' +
    'MQTT Proxy (same topic mapping), and a Kafka Streams app running the ANOMALY UDF where ksqlDB would.',
  docker:
    'Confluent Platform in Docker: Kafka (KRaft), ksqlDB server with the UDF jar in its extension dir,\n' +
    'and the Confluent MQTT Proxy writing MQTT publishes into Kafka.',
  'docker-endpoint':
    'Confluent Platform in Docker: Kafka (KRaft), ksqlDB server with the UDF jar in its extension dir,\n' +
    "and this project's MQTT endpoint (in place of the deprecated MQTT Proxy, same topic mapping) writing MQTT publishes into Kafka.",
};

/**
 * The seed tutorial as narrated steps: start the platform, show the model and the statements,
 * put cars on the road, follow the anomalies live, and sum up detection against the labels.
 * The platform is left running to explore.
 */
export async function runDemo(runtime: Runtime, upOptions: UpOptions, options: DemoOptions, ui: Ui & RunReporter): Promise<DemoSummary> {
  const { c } = ui;
  const { scenario } = upOptions;
  const heading = (step: number, title: string): void => ui.out(`\n${c.bold(`${step}/4  ${title}`)}`);

  heading(1, 'Start the platform');
  ui.out(RUNTIME_STORY[runtime.name === 'docker' && requestedMqtt(upOptions) === 'endpoint' ? 'docker-endpoint' : runtime.name]);
  const status = await runtime.up(upOptions, ui);
  const kafka = upOptions.attach?.target ?? { bootstrap: status.endpoints!.bootstrapServers };
  ui.out(renderStatus(ui, status));

  heading(2, 'The model and the statements');
  ui.out(
    `ANOMALY(sensorinput VARCHAR) RETURNS DOUBLE: an autoencoder (210 -> 50 -> 20 -> 50 -> 210, tanh) trained on\n` +
      `normal engine-temperature windows. Its score is the reconstruction error; above ${scenario.model.threshold} a window is an anomaly.\n` +
      `UDF jar: ${locateUdfJar(upOptions.udfJar)}`,
  );
  ui.out(runtime.name === 'docker' ? 'Applied to ksqlDB:' : 'The local runtime does what these statements do in one Kafka Streams topology, with the same UDF class and output topics:');
  ui.out(c.dim(scenario.ksql.text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('--')).map((l) => `  ${l}`).join('\n')));

  heading(3, 'Cars on the road');
  const run = new LabelledRun(
    {
      endpoints: status.endpoints!,
      client: options.client,
      scenario,
      cars: options.cars,
      rate: options.rate,
      seed: options.seed,
      anomalyRate: scenario.generator.anomalyRate,
      clientPrefix: 'edge-ml-demo-',
    },
    ui,
  );
  ui.out(
    `${options.cars} cars each publish a 210-reading window ${options.rate} time(s) a second over MQTT to ${scenario.mqtt.topicTemplate.replace('{car}', '<car>')};\n` +
      `${Math.round(scenario.generator.anomalyRate * 100)}% of windows carry an injected fault (spike, overheat shift, stuck sensor, noise burst).`,
  );
  await options.beforeCars?.(run.faults, new Set(run.carNames));
  const generated = run.result();

  heading(4, `Anomalies, live (${options.durationS} s, Ctrl-C to stop early)`);
  const carIds = new Set(run.carNames);
  const flagged = new Set<string>();
  const stopTail = new AbortController();
  const endTimer = setTimeout(() => stopTail.abort(), options.durationS * 1000);
  const onAbort = (): void => stopTail.abort();
  options.signal.addEventListener('abort', onAbort);
  const live = liveCountLine(ui, () => `cars ${run.stats.connectedCars}/${options.cars} connected   events ${run.stats.acked}   anomalies ${flagged.size}`);
  const context = { shape: 'score' as const, scenario, c };
  try {
    await tailTopic({ ...kafka, topic: scenario.streams.anomalies, fromBeginning: true, signal: stopTail.signal }, (record) => {
      const event = scoreEvent(record);
      if (!event || !carIds.has(event.carId) || flagged.has(event.key)) return;
      flagged.add(event.key);
      live.clear();
      ui.out(recordLine(record, context));
    });
  } finally {
    clearTimeout(endTimer);
    options.signal.removeEventListener('abort', onAbort);
    live.stop();
    run.stop();
  }

  const { summary, faults } = await ui.step('stopping the cars and waiting for the last scores', async () => generated);
  const common = { kafka, carIds, timeoutMs: 30_000 };
  const landed = await collectRunEvents({ ...common, topic: scenario.streams.source, read: sensorEvent(scenario), expected: summary.acked });
  const scores = await collectRunEvents({ ...common, topic: scenario.streams.scores, read: scoreEvent, expected: landed.size });
  const events = [...landed.keys()];
  const quality = evaluateScores(
    events.map((key) => ({ fault: faults.get(key) })),
    events.map((key) => scores.get(key)?.[0] ?? null),
    scenario.model.threshold,
  );
  const anomaliesFlagged = [...scores.values()].filter((s) => (s[0] ?? 0) > scenario.model.threshold).length;
  return { cars: options.cars, events: summary.acked, faultsInjected: faults.size, anomaliesFlagged, quality };
}

/** A running count: rewritten in place on a terminal, a plain line every few seconds otherwise. */
function liveCountLine(ui: Ui, text: () => string): { clear(): void; stop(): void } {
  const tty = ui.interactive;
  const timer = setInterval(() => process.stderr.write(tty ? `\r\u001b[2K${text()}` : `${text()}\n`), tty ? LIVE_LINE_INTERVAL_MS.tty : LIVE_LINE_INTERVAL_MS.plain);
  timer.unref();
  const clear = (): void => {
    if (tty) process.stderr.write('\r\u001b[2K');
  };
  return {
    clear,
    stop() {
      clearInterval(timer);
      clear();
      process.stderr.write(`${text()}\n`);
    },
  };
}
