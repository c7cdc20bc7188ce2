import { CarSource } from '../generator/car-source.js';
import { FAULT_KINDS, type FaultKind } from '../generator/faults.js';
import { formatPayload } from '../generator/payload.js';

export interface LabelledPayload {
  payload: string;
  /** The injected fault, or undefined for a normal window. */
  fault?: FaultKind;
}

export interface EvalOptions {
  windows: number;
  seed: number;
  cars: number;
  anomalyRate: number;
  threshold: number;
}

export interface EvalReport {
  recall: number;
  precision: number;
  threshold: number;
  /** Recall of each fault kind (null for a kind that did not occur). */
  perKind: Record<FaultKind, number | null>;
  windows: number;
  anomalies: number;
  /** Windows the UDF returned NULL for (none expected for generated payloads). */
  unscored: number;
}

/** Fresh labelled windows, round-robin over cars 1..cars, published as the generator publishes them. */
export function labelledPayloads(options: Pick<EvalOptions, 'windows' | 'seed' | 'cars' | 'anomalyRate'>): LabelledPayload[] {
  const sources = Array.from({ length: options.cars }, (_, i) => new CarSource(i + 1, { seed: options.seed, anomalyRate: options.anomalyRate, anomalyKinds: FAULT_KINDS }));
  const out: LabelledPayload[] = [];
  for (let i = 0; out.length < options.windows; i = (i + 1) % sources.length) {
    const w = sources[i]!.next();
    out.push({ payload: formatPayload(w.eventId, w.readings), fault: w.fault });
  }
  return out;
}

/** Recall, precision and per-kind recall of `score > threshold` against the injected labels. */
export function evaluateScores(windows: readonly Pick<LabelledPayload, 'fault'>[], scores: readonly (number | null)[], threshold: number): EvalReport {
  let truePositives = 0;
  let flagged = 0;
  let unscored = 0;
  const caught = new Map<FaultKind, number>();
  const total = new Map<FaultKind, number>();
  windows.forEach((w, i) => {
    const score = scores[i];
    if (score === null || score === undefined) unscored += 1;
    const flag = score !== null && score !== undefined && score > threshold;
    if (flag) flagged += 1;
    if (w.fault) {
      total.set(w.fault, (total.get(w.fault) ?? 0) + 1);
      if (flag) {
        truePositives += 1;
        caught.set(w.fault, (caught.get(w.fault) ?? 0) + 1);
      }
    }
  });
  const anomalies = [...total.values()].reduce((a, b) => a + b, 0);
  const perKind = Object.fromEntries(
    FAULT_KINDS.map((k) => [k, total.get(k) ? round((caught.get(k) ?? 0) / total.get(k)!) : null]),
  ) as Record<FaultKind, number | null>;
  return {
    recall: anomalies > 0 ? round(truePositives / anomalies) : 0,
    precision: flagged > 0 ? round(truePositives / flagged) : 0,
    threshold,
    perKind,
    windows: windows.length,
    anomalies,
    unscored,
  };
}

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}
