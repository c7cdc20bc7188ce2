import type { ChalkInstance } from 'chalk';
import { parsePayload } from '../generator/payload.js';
import { carIdOfTopic, type Scenario } from '../scenario/scenario.js';
import type { RecordShape } from './tail-target.js';

/** One consumed Kafka record, as the formatters need it. */
export interface TailedRecord {
  key: string | null;
  value: Buffer | null;
  /** Record timestamp, ms since the epoch. */
  timestamp: number;
}

export interface FormatContext {
  shape: RecordShape;
  scenario: Scenario;
  /** Colours; a level-0 instance (pipes, NO_COLOR) leaves text plain. */
  c: ChalkInstance;
}

/**
 * The record as one JSON object (--json):
 * - score: the value's fields as ksqlDB's `SELECT *` shows them, i.e. the key column MQTT_TOPIC
 *   (the record key) followed by the value's CARID, EVENTID, ANOMALY_VAL;
 * - sensor: MQTT_TOPIC, CARID, EVENTID and READINGS (the payload's reading count), plus INVALID
 *   with the reason when the payload is not in the seed's format (the raw payload is left out);
 * - plain, or a value that is not a JSON object: the value object, else {"key", "value"}.
 */
export function recordJson(record: TailedRecord, context: FormatContext): Record<string, unknown> {
  const text = record.value?.toString('utf8') ?? null;
  if (context.shape === 'sensor') return sensorFields(record.key, text, context.scenario);
  const object = jsonObject(text);
  if (!object) return { key: record.key, value: text };
  if (context.shape === 'score' && record.key !== null && !('MQTT_TOPIC' in object)) return { MQTT_TOPIC: record.key, ...object };
  return object;
}

/** One line for people: time, car, event, and the score coloured by severity or the reading summary. */
export function recordLine(record: TailedRecord, context: FormatContext): string {
  const { c } = context;
  const time = c.dim(clockTime(record.timestamp));
  const text = record.value?.toString('utf8') ?? null;
  if (context.shape === 'sensor') {
    const s = sensorFields(record.key, text, context.scenario);
    const detail = s.INVALID ? c.yellow(`invalid: ${s.INVALID}`) : `${s.READINGS} readings`;
    return `${time}  car ${String(s.CARID).padEnd(9)}  event ${String(s.EVENTID ?? '-').padEnd(8)}  ${detail}`;
  }
  const object = jsonObject(text);
  if (context.shape === 'score' && object && typeof object.ANOMALY_VAL === 'number') {
    const car = object.CARID ?? (record.key !== null ? carIdOfTopic(context.scenario, record.key) : '-');
    const score = object.ANOMALY_VAL;
    return `${time}  car ${String(car).padEnd(9)}  event ${String(object.EVENTID ?? '-').padEnd(8)}  score ${severity(score, context)}`;
  }
  return `${time}  ${record.key ?? c.dim('(no key)')}  ${text ?? c.dim('(null)')}`;
}

/**
 * Severity relative to the model's threshold: at or below it normal (green), above it an anomaly
 * (yellow), above three times it a strong anomaly (red). The word makes it readable without colour.
 */
function severity(score: number, { c, scenario }: FormatContext): string {
  const threshold = scenario.model.threshold;
  const value = score.toPrecision(3);
  if (score > 3 * threshold) return `${c.red.bold(value.padEnd(8))}  ${c.red.bold('ANOMALY')}`;
  if (score > threshold) return `${c.yellow(value.padEnd(8))}  ${c.yellow('anomaly')}`;
  return c.green(value);
}

type SensorFields = {
  MQTT_TOPIC: string | null;
  CARID: string | null;
  EVENTID: number | null;
  READINGS: number;
  INVALID?: string;
};

/** The seed payload `<eventId>,<v1># ... # <v210>`, summarised without trusting it. */
function sensorFields(key: string | null, text: string | null, scenario: Scenario): SensorFields {
  const comma = text?.indexOf(',') ?? -1;
  const idText = text === null || comma < 0 ? '' : text.slice(0, comma).trim();
  const fields: SensorFields = {
    MQTT_TOPIC: key,
    CARID: key === null ? null : carIdOfTopic(scenario, key),
    EVENTID: /^-?\d+$/.test(idText) ? Number(idText) : null,
    READINGS: text === null || comma < 0 ? 0 : text.slice(comma + 1).split('#').length,
  };
  const parsed = text ? parsePayload(text) : 'empty payload';
  return typeof parsed === 'string' ? { ...fields, INVALID: parsed } : fields;
}

function jsonObject(text: string | null): Record<string, unknown> | undefined {
  if (text === null) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Local wall-clock time with milliseconds: records of one session are minutes apart, not days. */
function clockTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}
