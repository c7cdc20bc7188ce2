import { WINDOW_SIZE } from './signal.js';

/**
 * Away from a tie, Math.round(v * 100) is the integer toFixed(2) picks: v * 100 is within
 * 6e-14 of the exact product for readings below 10. Closer calls go to toFixed itself.
 */
const TIE_BAND = 1e-12;

/**
 * Whether p (a reading times 100) lies within `band` of a half-integer, where rounding to two
 * decimals could go either way. `p - floor(p)` is exact for the positive readings.
 */
function nearHalf(p: number, band: number): boolean {
  return Math.abs(p - Math.floor(p) - 0.5) <= band;
}

/**
 * `# d.dd` for n = 0..999 (a reading times 100, rounded), as a 32-bit `# d.` and a 16-bit `dd`,
 * little-endian: a reading is two stores instead of six byte by byte.
 */
const SEPARATOR_UNITS = Uint32Array.from({ length: 1000 }, (_, n) => 0x23 | (0x20 << 8) | ((0x30 + Math.floor(n / 100)) << 16) | (0x2e << 24));
const TENTHS_HUNDREDTHS = Uint16Array.from({ length: 1000 }, (_, n) => (0x30 + (Math.floor(n / 10) % 10)) | ((0x30 + (n % 10)) << 8));
/** Where the first reading's digits start: room for the largest eventId before them. */
const FIRST = 32;
const scratch = Buffer.alloc(FIRST + WINDOW_SIZE * 6);
const scratchView = new DataView(scratch.buffer, scratch.byteOffset, scratch.byteLength);

/**
 * The seed tutorial's payload, unchanged: `<eventId>,<v1># <v2># ... # <v210>`, readings with two
 * decimals. Any MQTT client can send it; ksqlDB reads it as DELIMITED (EVENTID, SENSORINPUT).
 * Written as bytes rather than 210 toFixed strings joined (5 to 10 times faster); the text is
 * exactly what `toFixed(2)` and `join('# ')` give, checked against them in generator-speed.test.
 */
export function formatPayload(eventId: number, readings: ArrayLike<number>): string {
  const head = `${eventId},`;
  if (head.length > FIRST || readings.length > WINDOW_SIZE) return formatSlowly(head, readings);
  // Every reading goes in with its separator; the head then overwrites the first one's.
  let at = FIRST - 2;
  for (let i = 0; i < readings.length; i++) {
    const p = readings[i]! * 100;
    // One digit before the point; anything else (negative, >= 10, NaN) or a near-tie: toFixed.
    if (!(p >= 0 && p < 999.5) || nearHalf(p, TIE_BAND)) return formatSlowly(head, readings);
    // Math.round away from a tie, several times cheaper in V8; p >= 0, so `| 0` floors.
    const n = (p + 0.5) | 0;
    scratchView.setUint32(at, SEPARATOR_UNITS[n]!, true);
    scratchView.setUint16(at + 4, TENTHS_HUNDREDTHS[n]!, true);
    at += 6;
  }
  const start = FIRST - head.length;
  scratch.write(head, start, 'latin1');
  return scratch.toString('latin1', start, Math.max(at, FIRST));
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
