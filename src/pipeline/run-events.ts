import { parsePayload } from '../generator/payload.js';
import { carIdOfTopic, type Scenario } from '../scenario/scenario.js';
import type { KafkaTarget } from '../kafka/kafka-client.js';
import { tailTopic } from '../tail/tail-consumer.js';
import type { TailedRecord } from '../tail/tail-record.js';
import { eventKey } from './labelled-run.js';

/** A run's event as found in a topic: its key "carId/eventId" and, in score topics, the score. */
export interface FoundEvent {
  key: string;
  carId: string;
  eventId: number;
  score?: number;
}

/** Reads a car's event from a sensor record (key = MQTT topic, value = the seed-format payload). */
export function sensorEvent(scenario: Scenario): (record: TailedRecord) => FoundEvent | undefined {
  return (record) => {
    if (record.key === null || record.value === null) return undefined;
    const carId = carIdOfTopic(scenario, record.key);
    const payload = parsePayload(record.value.toString('utf8'));
    return typeof payload === 'string' ? undefined : { key: eventKey(carId, payload.eventId), carId, eventId: payload.eventId };
  };
}

/** Reads a car's event from a score record (JSON value with CARID, EVENTID, ANOMALY_VAL). */
export function scoreEvent(record: TailedRecord): FoundEvent | undefined {
  try {
    const value = JSON.parse(record.value?.toString('utf8') ?? '') as { CARID?: unknown; EVENTID?: unknown; ANOMALY_VAL?: unknown };
    if (typeof value.CARID !== 'string' || typeof value.EVENTID !== 'number') return undefined;
    return { key: eventKey(value.CARID, value.EVENTID), carId: value.CARID, eventId: value.EVENTID, score: typeof value.ANOMALY_VAL === 'number' ? value.ANOMALY_VAL : undefined };
  } catch {
    return undefined;
  }
}

const DUPLICATE_GRACE_MS = 2000;

export interface CollectOptions {
  kafka: KafkaTarget;
  topic: string;
  /** Only events of these cars count. */
  carIds: ReadonlySet<string>;
  read: (record: TailedRecord) => FoundEvent | undefined;
  /** Stop as soon as this many distinct events were found. */
  expected: number;
  /** Give up after this long in all. */
  timeoutMs: number;
  /** Or after this long without a record. */
  idleTimeoutMs?: number;
}

/**
 * Every occurrence of a run's events in a topic, read from its beginning until all expected events
 * were seen (or time is up): event key -> scores (one entry per occurrence, so duplicates show).
 */
export async function collectRunEvents(options: CollectOptions): Promise<Map<string, (number | undefined)[]>> {
  const found = new Map<string, (number | undefined)[]>();
  const done = new AbortController();
  const deadline = setTimeout(() => done.abort(), options.timeoutMs);
  let settling = false;
  try {
    if (options.expected > 0) {
      await tailTopic(
        { ...options.kafka, topic: options.topic, fromBeginning: true, idleTimeoutMs: options.idleTimeoutMs ?? options.timeoutMs, signal: done.signal },
        (record) => {
          const event = options.read(record);
          if (!event || !options.carIds.has(event.carId)) return;
          const seen = found.get(event.key) ?? [];
          seen.push(event.score);
          found.set(event.key, seen);
          // All found: read on a moment longer, so a late duplicate still shows.
          if (found.size >= options.expected && !settling) {
            settling = true;
            setTimeout(() => done.abort(), DUPLICATE_GRACE_MS).unref();
          }
        },
      );
    }
    return found;
  } finally {
    clearTimeout(deadline);
  }
}
