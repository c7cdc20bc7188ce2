import type { Random } from './prng.js';
import { WINDOW_SIZE } from './signal.js';

export const FAULT_KINDS = ['spike', 'shift', 'flatline', 'noise'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * The typical within-window standard deviation of a normal trace (about 0.6 for the profile ranges
 * in signal.ts, checked by a test). Every fault size below is a multiple of it, so "how big is a
 * fault" has one documented answer and is never tuned to flatter the model.
 */
export const NORMAL_WINDOW_SD = 0.6;

/** Readings of a faulty sensor stay within what a real (if confused) sensor could report. */
const FAULT_MIN = 1;
const FAULT_MAX = 9;

/**
 * Sizes, relative to NORMAL_WINDOW_SD (S):
 * - spike: 1 to 3 consecutive readings off by 1.5 S to 3 S (0.9 to 1.8 degrees-units), either sign.
 * - shift (overheat): from a point in the window on, the level rises by 1 S to 2 S, over 3 readings.
 * - flatline (stuck sensor): 40 to 90 readings repeat the last good value exactly.
 * - noise: 40 to 90 readings carry extra jitter of 0.4 S to 0.8 S (6 to 12 times sensor noise).
 */
export function injectFault(kind: FaultKind, window: Float64Array, random: Random): void {
  const S = NORMAL_WINDOW_SD;
  switch (kind) {
    case 'spike': {
      const length = random.int(1, 3);
      const start = random.int(5, WINDOW_SIZE - 5 - length);
      const offset = (random.next() < 0.5 ? -1 : 1) * random.uniform(1.5 * S, 3 * S);
      for (let i = start; i < start + length; i++) window[i] = clampFault(window[i]! + offset);
      return;
    }
    case 'shift': {
      const start = random.int(30, 180);
      const size = random.uniform(1 * S, 2 * S);
      for (let i = start; i < WINDOW_SIZE; i++) {
        const ramp = Math.min(1, (i - start + 1) / 3);
        window[i] = clampFault(window[i]! + ramp * size);
      }
      return;
    }
    case 'flatline': {
      const length = random.int(40, 90);
      const start = random.int(1, WINDOW_SIZE - length);
      const stuck = window[start - 1]!;
      for (let i = start; i < start + length; i++) window[i] = stuck;
      return;
    }
    case 'noise': {
      const length = random.int(40, 90);
      const start = random.int(0, WINDOW_SIZE - length);
      const sd = random.uniform(0.4 * S, 0.8 * S);
      for (let i = start; i < start + length; i++) window[i] = clampFault(window[i]! + sd * random.gaussian());
      return;
    }
  }
}

function clampFault(value: number): number {
  return Math.min(FAULT_MAX, Math.max(FAULT_MIN, value));
}

export function parseFaultKinds(text: string): FaultKind[] | string {
  if (text.trim() === 'all') return [...FAULT_KINDS];
  const kinds = text.split(',').map((k) => k.trim()).filter(Boolean);
  const unknown = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (kinds.length === 0 || unknown.length > 0) {
    return `unknown anomaly kind ${unknown.map((k) => `'${k}'`).join(', ') || "''"}: choose from ${FAULT_KINDS.join(', ')} or all`;
  }
  return [...new Set(kinds)] as FaultKind[];
}
