import type { RunSnapshot, RunSummary } from '../generator/run-stats.js';

const TTY_INTERVAL_MS = 500;
const PLAIN_INTERVAL_MS = 5000;

/** One status line of a generator run: connected, sent/s, acked, in flight, errors, ack latency. */
export function formatRunStatus(s: RunSnapshot, sentPerS: number): string {
  const latency = s.recentLatencyMs;
  return [
    `connected ${s.connectedCars}/${s.cars}`,
    `sent ${Math.round(sentPerS)}/s`,
    `acked ${s.acked}`,
    `in flight ${s.inFlight}`,
    `errors ${s.errors + s.failed}`,
    `reconnects ${s.reconnects}`,
    `ack p50 ${latency.p50} ms p99 ${latency.p99} ms`,
  ].join('  ');
}

export function formatRunSummary(s: RunSummary): string {
  return (
    `${s.cars} cars (${s.connected} connected at peak): sent ${s.sent}, acked ${s.acked}, failed ${s.failed}, ` +
    `reconnects ${s.reconnects} in ${s.durationS} s (${s.rate} acked/s); ` +
    `ack latency p50 ${s.latencyMs.p50} ms, p95 ${s.latencyMs.p95} ms, p99 ${s.latencyMs.p99} ms; ` +
    `${s.anomaliesInjected} anomalies injected`
  );
}

/**
 * The live status on stderr: rewritten in place on a terminal, one line every 5 s otherwise (logs,
 * CI), so that stdout stays free for results.
 */
export class RunStatusLine {
  private timer: NodeJS.Timeout | undefined;
  private lastSent = 0;
  private lastAt = performance.now();

  constructor(private readonly read: () => RunSnapshot, private readonly interactive: boolean) {}

  start(): void {
    this.timer = setInterval(() => this.render(), this.interactive ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.interactive) process.stderr.write('\r\u001b[2K');
  }

  private render(): void {
    const snapshot = this.read();
    const now = performance.now();
    const sentPerS = ((snapshot.sent - this.lastSent) * 1000) / (now - this.lastAt);
    this.lastSent = snapshot.sent;
    this.lastAt = now;
    const line = formatRunStatus(snapshot, sentPerS);
    process.stderr.write(this.interactive ? `\r\u001b[2K${line}` : `${line}\n`);
  }
}
