package dev.edgeml.processor;

import java.util.concurrent.atomic.AtomicLong;

/** What the topology has done since start: the figures of the status file. */
public final class ProcessingCounters {
  private final AtomicLong scored = new AtomicLong();
  private final AtomicLong anomalies = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();

  void recordScored(boolean anomaly) {
    scored.incrementAndGet();
    if (anomaly) anomalies.incrementAndGet();
  }

  void recordSkipped() {
    skipped.incrementAndGet();
  }

  public long scored() {
    return scored.get();
  }

  public long anomalies() {
    return anomalies.get();
  }

  public long skipped() {
    return skipped.get();
  }
}
