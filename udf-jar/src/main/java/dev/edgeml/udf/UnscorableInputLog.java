package dev.edgeml.udf;

import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Counts inputs the UDF returns NULL for and reports them at most once a minute, so a stream of
 * bad records cannot flood the server's log.
 */
final class UnscorableInputLog {
  private static final Logger LOG = Logger.getLogger(AnomalyUdf.class.getName());
  private static final long INTERVAL_NANOS = 60_000_000_000L;

  private final AtomicLong count = new AtomicLong();
  private final AtomicLong nextReportNanos = new AtomicLong(System.nanoTime());

  void record(String reason) {
    long total = count.incrementAndGet();
    long now = System.nanoTime();
    long due = nextReportNanos.get();
    if (now - due >= 0 && nextReportNanos.compareAndSet(due, now + INTERVAL_NANOS)) {
      LOG.warning("ANOMALY returned NULL for " + total + " input(s) so far; latest: " + reason);
    }
  }

  long count() {
    return count.get();
  }
}
