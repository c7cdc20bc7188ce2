/**
 * When a connection's messages are due. Its cars take turns, each at `ratePerCar` messages per
 * second, so the connection sends every 1 / (ratePerCar x cars) seconds from `firstAt`; rate 0
 * means unpaced (every message is due at once and only the in-flight bound holds them back).
 * Times are performance.now() milliseconds.
 */
export class Pacer {
  private readonly intervalMs: number;

  constructor(
    ratePerCar: number,
    cars: number,
    private readonly firstAt: number,
    /** Messages the connection sends in all (Infinity: until stopped). */
    readonly total: number,
  ) {
    this.intervalMs = ratePerCar === 0 ? 0 : 1000 / (ratePerCar * cars);
  }

  /** How many messages should have been sent by `now`. */
  dueBy(now: number): number {
    if (this.intervalMs === 0) return this.total;
    if (now < this.firstAt) return 0;
    return Math.min(this.total, Math.floor((now - this.firstAt) / this.intervalMs) + 1);
  }

  /** When message number `index` (0-based) is due. */
  timeOf(index: number): number {
    return this.firstAt + index * this.intervalMs;
  }
}
