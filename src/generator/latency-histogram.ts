/**
 * Publish-to-ack latency in log-spaced buckets (5% wide, 10 µs to ~5 min): constant memory and
 * O(1) recording however many messages a run sends, quantiles within 5%.
 */
const MIN_MS = 0.01;
const GROWTH = 1.05;
const BUCKETS = 360;
const LOG_GROWTH = Math.log(GROWTH);

export interface LatencyQuantiles {
  p50: number;
  p95: number;
  p99: number;
}

export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  private total = 0;

  record(ms: number): void {
    const index = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH));
    this.counts[index]! += 1;
    this.total += 1;
  }

  get count(): number {
    return this.total;
  }

  /** The upper bound of the bucket holding the q-quantile (0 when nothing was recorded). */
  quantile(q: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return MIN_MS * GROWTH ** i;
    }
    return MIN_MS * GROWTH ** (BUCKETS - 1);
  }

  quantiles(): LatencyQuantiles {
    const round = (ms: number): number => Math.round(ms * 100) / 100;
    return { p50: round(this.quantile(0.5)), p95: round(this.quantile(0.95)), p99: round(this.quantile(0.99)) };
  }

  /** Adds another histogram's counts to this one. */
  merge(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.total += other.total;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
  }
}
