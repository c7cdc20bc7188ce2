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
  const tally = new DetectionTally(threshold);
  windows.forEach((w, i) => tally.add(w.fault, scores[i] ?? null));
  return tally.report();
}

/**
 * evaluateScores one window at a time, in constant memory: the dashboard counts an endless stream
 * of scores with it, by the same rule as smoke and model eval.
 */
export class DetectionTally {
  truePositives = 0;
  flagged = 0;
  unscored = 0;
  windows = 0;
  private readonly caught = new Map<FaultKind, number>();
  private readonly total = new Map<FaultKind, number>();

  constructor(readonly threshold: number) {}

  add(fault: FaultKind | undefined, score: number | null): void {
    this.windows += 1;
    if (score === null) this.unscored += 1;
    const flag = score !== null && score > this.threshold;
    if (flag) this.flagged += 1;
    if (fault) {
      this.total.set(fault, (this.total.get(fault) ?? 0) + 1);
      if (flag) {
        this.truePositives += 1;
        this.caught.set(fault, (this.caught.get(fault) ?? 0) + 1);
      }
    }
  }

  /** Labelled windows seen so far. */
  get anomalies(): number {
    return [...this.total.values()].reduce((a, b) => a + b, 0);
  }

  report(): EvalReport {
    const { anomalies, caught, total } = this;
    const perKind = Object.fromEntries(
      FAULT_KINDS.map((k) => [k, total.get(k) ? round((caught.get(k) ?? 0) / total.get(k)!) : null]),
    ) as Record<FaultKind, number | null>;
    return {
      recall: anomalies > 0 ? round(this.truePositives / anomalies) : 0,
      precision: this.flagged > 0 ? round(this.truePositives / this.flagged) : 0,
      threshold: this.threshold,
      perKind,
      windows: this.windows,
      anomalies,
      unscored: this.unscored,
    };
  }
}

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}
