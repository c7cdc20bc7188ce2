import { WINDOW_SIZE } from './signal.js';

/**
 * The seed tutorial's payload, unchanged: `<eventId>,<v1># <v2># ... # <v210>`, readings with two
 * decimals. Any MQTT client can send it; ksqlDB reads it as DELIMITED (EVENTID, SENSORINPUT).
 */
export function formatPayload(eventId: number, readings: ArrayLike<number>): string {
  const parts = new Array<string>(readings.length);
  for (let i = 0; i < readings.length; i++) parts[i] = readings[i]!.toFixed(2);
  return `${eventId},${parts.join('# ')}`;
}

/** Readings rounded as they travel in a payload, so training data matches what is published. */
export function roundReadings(readings: ArrayLike<number>): number[] {
  return Array.from(readings, (v) => Math.round(v * 100) / 100);
}

export interface ParsedPayload {
  eventId: number;
  readings: number[];
}

/** Parses a payload in the seed format; returns a reason string when it is not one. */
export function parsePayload(text: string): ParsedPayload | string {
  const comma = text.indexOf(',');
  if (comma < 0) return 'no comma between eventId and readings';
  const idText = text.slice(0, comma).trim();
  if (!/^-?\d+$/.test(idText)) return `eventId '${idText.slice(0, 20)}' is not an integer`;
  const fields = text.slice(comma + 1).split('#');
  if (fields.length !== WINDOW_SIZE) return `${fields.length} readings, expected ${WINDOW_SIZE}`;
  const readings = fields.map((f) => Number(f.trim()));
  const bad = readings.findIndex((v, i) => fields[i]!.trim() === '' || !Number.isFinite(v));
  if (bad >= 0) return `reading ${bad + 1} '${fields[bad]!.trim().slice(0, 20)}' is not a finite number`;
  return { eventId: Number(idText), readings };
}
