import { errorMessage } from '../errors.js';
import { createRuntime } from '../runtime/index.js';
import type { ComponentStatus, PlatformStatus } from '../runtime/types.js';
import type { Scenario } from '../scenario/scenario.js';
import { readPlatform } from '../state/state-dir.js';
import type { Stage } from './contract.js';
import { NO_PLATFORM_HINT, type FeedStatus } from './kafka-feed.js';

/** What the consumer measured over the last second. */
export interface TopicRates {
  messagesIn: number;
  scored: number;
  anomalies: number;
}

const POLL_MS = 2000;

type StageState = Stage['state'];

/**
 * The pipeline's stages, from the platform's status (polled: the runtime recorded in the state
 * dir, asked afresh each time so a platform started later is found) and the consumer's rates.
 */
export class StageWatcher {
  private status: PlatformStatus | undefined;
  private problem: string | undefined = NO_PLATFORM_HINT;
  /** Counter totals at the previous poll and the rates between the last two. */
  private previous: { at: number; totals: Record<string, number> } | undefined;
  private counterRates: Record<string, number> = {};
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(
    private readonly stateDir: string,
    private readonly scenario: Scenario,
    private readonly feed: () => FeedStatus,
    private readonly rates: () => TopicRates,
    pollMs = POLL_MS,
  ) {
    this.pollOnce();
    this.timer = setInterval(() => this.pollOnce(), pollMs);
    this.timer.unref();
  }

  /** One poll at a time: a slow `docker compose ps` is not stacked up. */
  private pollOnce(): void {
    this.polling ??= this.poll().finally(() => (this.polling = undefined));
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
  }

  stages(): Stage[] {
    const { source, scores, anomalies } = this.scenario.streams;
    const rates = this.rates();
    const feed = this.feed();
    const components = this.status?.components ?? [];
    const endpoint = components.filter((c) => /^mqtt-(endpoint|proxy)$/.test(c.name));
    const processors = components.filter((c) => c.name.startsWith('processor') || c.name === 'ksqldb');
    const kafka = components.filter((c) => c.name === 'kafka');
    // No platform and no cluster answering: everything is down, with the hint.
    if (!this.status && feed.state !== 'live') {
      const detail = feed.detail ?? this.problem ?? NO_PLATFORM_HINT;
      return stageLabels(this.scenario).map(({ id, label }) => ({ id, label, state: 'down', ratePerS: null, detail }));
    }
    const topicState = (): StageState => (kafka.length > 0 && stateOf(kafka) === 'down' ? 'down' : feed.state === 'live' ? 'running' : feed.state === 'connecting' ? 'starting' : 'down');
    const topic = (id: Stage['id'], label: string, rate: number): Stage => {
      const state = topicState();
      return { id, label, state, ratePerS: state === 'running' ? rate : null, detail: state === 'running' ? undefined : feed.detail ?? kafka[0]?.detail };
    };
    return [
      this.cars(feed, rates.messagesIn),
      this.component('mqtt-endpoint', endpoint[0]?.name === 'mqtt-proxy' ? 'MQTT Proxy' : 'MQTT endpoint', endpoint, this.counterRates.produced ?? rates.messagesIn),
      topic('source-topic', source, rates.messagesIn),
      this.component('processor', 'ANOMALY UDF', processors, this.counterRates.scored ?? rates.scored),
      topic('scores-topic', scores, rates.scored),
      topic('anomalies-topic', anomalies, rates.anomalies),
    ];
  }

  /** Cars are seen only through the source topic: unknown while it is quiet, down while it cannot be read. */
  private cars(feed: FeedStatus, rate: number): Stage {
    if (feed.state !== 'live') return { id: 'cars', label: 'cars', state: 'down', ratePerS: null, detail: feed.detail };
    return { id: 'cars', label: 'cars', state: rate > 0 ? 'running' : 'unknown', ratePerS: rate, detail: rate > 0 ? undefined : 'no messages in the last second' };
  }

  private component(id: Stage['id'], label: string, components: ComponentStatus[], rate: number): Stage {
    if (components.length === 0) return { id, label, state: 'unknown', ratePerS: null, detail: this.status ? 'not run by this platform' : 'not run by edge-ml here' };
    const state = stateOf(components);
    return { id, label, state, ratePerS: state === 'running' ? rate : null, detail: components.map((c) => c.detail).filter(Boolean).join('; ') || undefined };
  }

  private async poll(): Promise<void> {
    try {
      const platform = readPlatform(this.stateDir);
      this.status = platform && (await createRuntime(platform.runtime, this.stateDir).status());
      this.problem = this.status ? undefined : NO_PLATFORM_HINT;
    } catch (err) {
      this.status = undefined;
      this.problem = `platform status unknown: ${errorMessage(err)}`;
    }
    this.countRates(Date.now());
  }

  /** Rates from the components' running totals (summed over processors), between two polls. */
  private countRates(now: number): void {
    const totals: Record<string, number> = {};
    for (const c of this.status?.components ?? []) for (const [name, n] of Object.entries(c.counters ?? {})) totals[name] = (totals[name] ?? 0) + n;
    const before = this.previous;
    this.counterRates = {};
    if (before && now > before.at) {
      for (const [name, n] of Object.entries(totals)) {
        const was = before.totals[name];
        // A restarted component counts from zero again: no rate for that interval.
        if (was !== undefined && n >= was) this.counterRates[name] = Math.round(((n - was) / ((now - before.at) / 1000)) * 10) / 10;
      }
    }
    this.previous = { at: now, totals };
  }
}

function stageLabels(scenario: Scenario): { id: Stage['id']; label: string }[] {
  const { source, scores, anomalies } = scenario.streams;
  return [
    { id: 'cars', label: 'cars' },
    { id: 'mqtt-endpoint', label: 'MQTT endpoint' },
    { id: 'source-topic', label: source },
    { id: 'processor', label: 'ANOMALY UDF' },
    { id: 'scores-topic', label: scores },
    { id: 'anomalies-topic', label: anomalies },
  ];
}

/** The worst state of a stage's components (several processors). */
function stateOf(components: ComponentStatus[]): StageState {
  const states = components.map((c) => c.state);
  if (states.some((s) => s === 'dead' || s === 'stopped' || s === 'unhealthy')) return 'down';
  if (states.some((s) => s === 'starting')) return 'starting';
  return 'running';
}
