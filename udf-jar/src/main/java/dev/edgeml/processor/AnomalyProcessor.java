package dev.edgeml.processor;

import dev.edgeml.udf.AnomalyUdf;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * The local runtime's stream processor: the scenario's KSQL run by Kafka Streams with the same
 * ANOMALY UDF class. Classpath: this jar, the UDF jar and Kafka 3.9 (kafka-streams, kafka-clients
 * and their dependencies). Logs one line per state change; SIGTERM closes it cleanly.
 */
public final class AnomalyProcessor {
  private static final long STATUS_PERIOD_MS = 2000;
  /** Enough calls for C2 to compile the scoring path (its thresholds are around 10,000). */
  private static final int WARM_UP_SCORES = 30_000;

  private AnomalyProcessor() {}

  public static void main(String[] args) throws Exception {
    ProcessorConfig config;
    try {
      config = ProcessorConfig.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("edge-ml-processor: " + e.getMessage());
      System.exit(2);
      return;
    }
    ProcessingCounters counters = new ProcessingCounters();
    AnomalyUdf udf = new AnomalyUdf();
    warmUp(udf);
    KafkaStreams streams = new KafkaStreams(AnomalyTopology.build(config, udf::anomaly, counters), streamsProperties(config));
    StatusFile status = config.statusFile == null ? null : new StatusFile(config.statusFile);
    CountDownLatch stopped = new CountDownLatch(1);

    streams.setStateListener((next, previous) -> {
      System.out.println("state " + next);
      writeStatus(status, next, counters);
      if (next == KafkaStreams.State.ERROR || next == KafkaStreams.State.NOT_RUNNING) stopped.countDown();
    });
    streams.setUncaughtExceptionHandler(e -> {
      System.err.println("edge-ml-processor: stream thread failed: " + e);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "edge-ml-status");
      thread.setDaemon(true);
      return thread;
    });
    ticker.scheduleAtFixedRate(() -> writeStatus(status, streams.state(), counters), STATUS_PERIOD_MS, STATUS_PERIOD_MS, TimeUnit.MILLISECONDS);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      streams.close(Duration.ofSeconds(30));
      stopped.countDown();
    }, "edge-ml-shutdown"));

    writeStatus(status, streams.state(), counters);
    streams.start();
    stopped.await();
    ticker.shutdownNow();
    streams.close(Duration.ofSeconds(30));
    writeStatus(status, streams.state(), counters);
    if (streams.state() == KafkaStreams.State.ERROR) System.exit(1);
  }

  /**
   * Scores a smooth window until the JIT has compiled the parser and the forward pass. Cold, the
   * interpreter scores slower than cars publish, and the first seconds of traffic queue up behind it
   * (measured: p99 publish-to-scored over 4 s at 1,000 msg/s without this, on a fresh processor).
   */
  static void warmUp(AnomalyUdf udf) {
    StringBuilder window = new StringBuilder();
    for (int i = 0; i < 210; i++) {
      if (i > 0) window.append("# ");
      window.append(String.format(Locale.ROOT, "%.2f", 5 + Math.sin(i / 30.0)));
    }
    String sensorInput = window.toString();
    for (int i = 0; i < WARM_UP_SCORES; i++) udf.anomaly(sensorInput);
  }

  static Properties streamsProperties(ProcessorConfig config) {
    Properties props = new Properties();
    // The cluster's connection first: the processor's own settings below win over a client file's.
    props.putAll(config.clientProperties);
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    if (config.stateDir != null) props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir.toString());
    // Changelog and repartition topics as replicated as the cluster's data, not a fixed 1.
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, config.replicationFactor);
    // Under exactly-once a scored record is visible only once its transaction commits, so the commit
    // interval is the latency floor (--commit-interval-ms); Streams also lingers 100 ms per producer
    // batch by default. Shorter both: the demo's and the bench's MQTT-to-ANOMALYDETECTION latency.
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitIntervalMs);
    props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
    // One instance, restarted by `up`, `udf deploy` and after a crash. Streams stays in its group on
    // close by default (for rolling restarts of many instances), which kept a restarted processor
    // waiting out the old member's 45 s session; so a clean close leaves the group, and a crashed
    // member is given up after 15 s.
    props.put(StreamsConfig.mainConsumerPrefix("internal.leave.group.on.close"), true);
    props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 15_000);
    return props;
  }

  private static void writeStatus(StatusFile status, KafkaStreams.State state, ProcessingCounters counters) {
    if (status == null) return;
    try {
      status.write(state.name(), counters);
    } catch (IOException e) {
      System.err.println("edge-ml-processor: cannot write the status file: " + e.getMessage());
    }
  }
}
