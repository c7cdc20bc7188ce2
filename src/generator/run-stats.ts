import { LatencyHistogram, type LatencyQuantiles } from './latency-histogram.js';

/** What the live status line shows. */
export interface RunSnapshot {
  cars: number;
  connectedCars: number;
  sent: number;
  acked: number;
  failed: number;
  inFlight: number;
  errors: number;
  reconnects: number;
  /** Latency of the acks since the previous snapshot. */
  recentLatencyMs: LatencyQuantiles;
}

/** The final figures; `--json` prints exactly this object. */
export interface RunSummary {
  cars: number;
  /** Peak number of cars connected at once. */
  connected: number;
  sent: number;
  acked: number;
  failed: number;
  reconnects: number;
  /** From the start of sending until the last ack (or the drain bound). */
  durationS: number;
  /** Acked messages per second over durationS. */
  rate: number;
  latencyMs: LatencyQuantiles;
  anomaliesInjected: number;
}

/** Counters of one generator run, shared by all its connections. */
export class RunStats {
  connectedCars = 0;
  peakConnectedCars = 0;
  sent = 0;
  acked = 0;
  failed = 0;
  inFlight = 0;
  errors = 0;
  reconnects = 0;
  anomaliesInjected = 0;
  private readonly latency = new LatencyHistogram();
  private readonly recentLatency = new LatencyHistogram();

  constructor(readonly cars: number) {}

  carsConnected(n: number): void {
    this.connectedCars += n;
    if (this.connectedCars > this.peakConnectedCars) this.peakConnectedCars = this.connectedCars;
  }

  carsDisconnected(n: number): void {
    this.connectedCars -= n;
  }

  published(): void {
    this.sent += 1;
    this.inFlight += 1;
  }

  ackedAfter(ms: number): void {
    this.acked += 1;
    this.inFlight -= 1;
    this.latency.record(ms);
    this.recentLatency.record(ms);
  }

  publishFailed(): void {
    this.failed += 1;
    this.inFlight -= 1;
  }

  /** Messages still unacknowledged when the run gave up on them. */
  abandoned(n: number): void {
    this.failed += n;
    this.inFlight -= n;
  }

  snapshot(): RunSnapshot {
    const recentLatencyMs = this.recentLatency.quantiles();
    this.recentLatency.reset();
    const { cars, connectedCars, sent, acked, failed, inFlight, errors, reconnects } = this;
    return { cars, connectedCars, sent, acked, failed, inFlight, errors, reconnects, recentLatencyMs };
  }

  summary(durationS: number): RunSummary {
    return {
      cars: this.cars,
      connected: this.peakConnectedCars,
      sent: this.sent,
      acked: this.acked,
      failed: this.failed,
      reconnects: this.reconnects,
      durationS: Math.round(durationS * 1000) / 1000,
      rate: durationS > 0 ? Math.round((this.acked / durationS) * 10) / 10 : 0,
      latencyMs: this.latency.quantiles(),
      anomaliesInjected: this.anomaliesInjected,
    };
  }
}
