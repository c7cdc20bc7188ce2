/**
 * Runs due sends in time slices between I/O. Thousands of per-connection timers that each publish
 * would keep Node in its timers phase whenever the CPU falls behind the schedule, and then no ack
 * (nor Ctrl-C) is ever read. Timers only enqueue here; the queue works through connections for at
 * most SLICE_MS per event-loop turn, so acks are read between slices and a backlog shows up as
 * a lower rate instead of a frozen process.
 */
const SLICE_MS = 10;
/** Checking the clock after every job would cost more than many jobs do. */
const JOBS_PER_CLOCK_CHECK = 16;

export class SendQueue {
  private jobs: (() => void)[] = [];
  private head = 0;
  private scheduled = false;

  add(job: () => void): void {
    this.jobs.push(job);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.runSlice);
    }
  }

  private readonly runSlice = (): void => {
    const end = performance.now() + SLICE_MS;
    let done = 0;
    while (this.head < this.jobs.length) {
      this.jobs[this.head++]!();
      if (++done % JOBS_PER_CLOCK_CHECK === 0 && performance.now() >= end) break;
    }
    if (this.head >= this.jobs.length) {
      this.jobs = [];
      this.head = 0;
      this.scheduled = false;
      return;
    }
    if (this.head > 4096) {
      this.jobs = this.jobs.slice(this.head);
      this.head = 0;
    }
    setImmediate(this.runSlice);
  };
}
