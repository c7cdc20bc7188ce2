import { parseBrokerUrl } from '../generator/broker-address.js';
import { FAULT_KINDS, type FaultKind } from '../generator/faults.js';
import { PublishRun, type RunReporter } from '../generator/publish-run.js';
import type { RunSummary } from '../generator/run-stats.js';
import { EdgeMlError } from '../errors.js';
import { carTopic, type Scenario } from '../scenario/scenario.js';

export interface LabelledRunOptions {
  mqttUrl: string;
  scenario: Scenario;
  cars: number;
  /** Messages per car; without it the run goes on until stop(). */
  count?: number;
  /** Messages per second per car; 0 = as fast as acks allow. */
  rate: number;
  seed: number;
  anomalyRate: number;
  clientPrefix: string;
}

export interface LabelledRunResult {
  summary: RunSummary;
  /** "carId/eventId" of every window published with an injected fault, and its kind. */
  faults: ReadonlyMap<string, FaultKind>;
}

export function eventKey(carId: string | number, eventId: number): string {
  return `${carId}/${eventId}`;
}

/**
 * A tag of its own for each run, carried in the car's name (`<tag>-<n>`, the MQTT topic's car
 * segment and so CARID), so a run finds its own events in topics that hold earlier runs too. The
 * windows depend only on the seed and the car's number, so the same seed publishes the same
 * windows in every run.
 */
function runTag(): string {
  return Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, '0');
}

/** A generator run at QoS 1 whose injected faults are kept, for scoring detection afterwards. */
export class LabelledRun {
  /** Each car's name: what CARID and the labels call it. */
  readonly carNames: string[];
  /**
   * "carId/eventId" -> fault kind of every window published with an injected fault, filled as the
   * cars publish: the demo's dashboard scores detection against it live.
   */
  readonly faults = new Map<string, FaultKind>();
  private readonly run: PublishRun;

  constructor(options: LabelledRunOptions, reporter: RunReporter) {
    const broker = parseBrokerUrl(options.mqttUrl);
    if (typeof broker === 'string') throw new EdgeMlError(`the platform's MQTT address ${options.mqttUrl} is not usable: ${broker}`, 'run edge-ml up again');
    const tag = runTag();
    const carIds = Array.from({ length: options.cars }, (_, i) => i + 1);
    const carName = (carId: number | string): string => `${tag}-${carId}`;
    this.carNames = carIds.map(carName);
    this.run = new PublishRun(
      {
        broker,
        carIds,
        topicOf: (carId) => carTopic(options.scenario, carName(carId)),
        clientPrefix: `${options.clientPrefix}${tag}-`,
        source: { seed: options.seed, anomalyRate: options.anomalyRate, anomalyKinds: FAULT_KINDS },
        rate: options.rate,
        count: options.count,
        qos: 1,
        connections: carIds.length,
        rampS: 0,
        sourceAddresses: [],
        maxInFlight: 32,
        wait: false,
        labels: { write: (carId, eventId, kind) => this.faults.set(eventKey(carName(carId), eventId), kind) },
      },
      reporter,
    );
  }

  get stats(): PublishRun['stats'] {
    return this.run.stats;
  }

  /** Stops sending (the run then drains its acks and returns). */
  stop(): void {
    if (!this.run.interrupted) this.run.stop();
  }

  async result(): Promise<LabelledRunResult> {
    return { summary: await this.run.run(), faults: this.faults };
  }
}
