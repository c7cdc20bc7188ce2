import { WINDOW_SIZE } from './signal.js';

/**
 * Whether p (a reading times 100) lies within `band` of a half-integer, where rounding to two
 * decimals could go either way. `p - floor(p)` is exact for the positive readings.
 */
function nearHalf(p: number, band: number): boolean {
  return Math.abs(p - Math.floor(p) - 0.5) <= band;
}

/**
 * Away from a tie, Math.round(v * 100) is the integer toFixed(2) picks: v * 100 is within
 * 6e-14 of the exact product for readings below 10. Closer calls go to toFixed itself.
 */
const TIE_BAND = 1e-12;
const DIGIT_0 = 0x30;
/** Room for the largest eventId and 210 readings of the form `d.dd# `. */
const scratch = Buffer.alloc(32 + WINDOW_SIZE * 6);

/**
 * The seed tutorial's payload, unchanged: `<eventId>,<v1># <v2># ... # <v210>`, readings with two
 * decimals. Any MQTT client can send it; ksqlDB reads it as DELIMITED (EVENTID, SENSORINPUT).
 * Written as bytes rather than 210 toFixed strings joined (5 to 10 times faster); the text is
 * exactly what `toFixed(2)` and `join('# ')` give, checked against them in generator-speed.test.
 */
export function formatPayload(eventId: number, readings: ArrayLike<number>): string {
  const head = `${eventId},`;
  if (head.length > 32 || readings.length > WINDOW_SIZE) return formatSlowly(head, readings);
  let at = scratch.write(head, 0, 'latin1');
  for (let i = 0; i < readings.length; i++) {
    const v = readings[i]!;
    const p = v * 100;
    // One digit before the point; anything else (negative, >= 10, NaN) or a near-tie: toFixed.
    if (!(p >= 0 && p < 999.5) || nearHalf(p, TIE_BAND)) return formatSlowly(head, readings);
    // An int32 from here on: digit arithmetic on doubles costs a call to fmod per `%`.
    const n = Math.round(p) | 0;
    if (i > 0) {
      scratch[at++] = 0x23; // '#'
      scratch[at++] = 0x20;
    }
    const tens = (n / 10) | 0;
    scratch[at++] = DIGIT_0 + ((n / 100) | 0);
    scratch[at++] = 0x2e; // '.'
    scratch[at++] = DIGIT_0 + (tens % 10);
    scratch[at++] = DIGIT_0 + (n - tens * 10);
  }
  return scratch.toString('latin1', 0, at);
}

function formatSlowly(head: string, readings: ArrayLike<number>): string {
  return head + Array.from(readings, (v) => v.toFixed(2)).join('# ');
}

/**
 * Whether every reading rounds to the same two decimals (in formatPayload and roundReadings) as
 * every value within `tolerance` of it: lets the generator compute readings approximately when
 * it knows their error bound. 1e-12 covers the rounding of v * 100 itself.
 */
export function roundsUnambiguously(readings: ArrayLike<number>, tolerance: number): boolean {
  const band = 100 * tolerance + 1e-12;
  for (let i = 0; i < readings.length; i++) if (nearHalf(readings[i]! * 100, band)) return false;
  return true;
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
