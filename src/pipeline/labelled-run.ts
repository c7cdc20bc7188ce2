import { parseBrokerUrl } from '../generator/broker-address.js';
import type { MqttClientSettings } from '../generator/car-connection.js';
import { FAULT_KINDS, type FaultKind } from '../generator/faults.js';
import { PublishRun, type RunReporter } from '../generator/publish-run.js';
import type { RunSummary } from '../generator/run-stats.js';
import { EdgeMlError } from '../errors.js';
import type { Endpoints } from '../runtime/types.js';
import { carTopic, type Scenario } from '../scenario/scenario.js';

export interface LabelledRunOptions {
  /** The cars dial MQTTS when they were given a CA and there is an MQTTS listener. */
  endpoints: Pick<Endpoints, 'mqttUrl' | 'mqttsUrl'>;
  client: MqttClientSettings;
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
 * windows in every run. Cars with logins of their own (--credentials) are named by their users
 * instead, so a run on a platform kept from an earlier one finds that one's events too.
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
    const { client, endpoints } = options;
    const url = client.ca && endpoints.mqttsUrl ? endpoints.mqttsUrl : endpoints.mqttUrl;
    const broker = parseBrokerUrl(url);
    if (typeof broker === 'string') throw new EdgeMlError(`the platform's MQTT address ${url} is not usable: ${broker}`, 'run edge-ml up again');
    const tag = runTag();
    const carIds = Array.from({ length: options.cars }, (_, i) => i + 1);
    // A car with a login of its own is known by its user name (an ACL's car/%u/# then fits its topic).
    const carName = (carId: number | string): string => client.credentials?.[Number(carId) - 1]!.username ?? `${tag}-${carId}`;
    this.carNames = carIds.map(carName);
    this.run = new PublishRun(
      {
        broker: { ...broker, ca: client.ca },
        login: client.login,
        credentials: client.credentials,
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
