import dev.edgeml.udf.AnomalyUdf;
import dev.edgeml.udf.SensorInputParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Warmed single-thread benchmark of the ANOMALY UDF (run.sh launches it against the built jar):
 * payload string in, score out, including splitting off the event id and parsing 210 readings.
 * Prints one JSON line; parse-only throughput is printed alongside as the floor the model adds to.
 */
public final class UdfBench {
  private static final long WARMUP_NANOS = 5_000_000_000L;
  private static final long RUN_NANOS = 3_000_000_000L;
  private static final int RUNS = 3;
  private static final double TARGET = 50_000;

  public static void main(String[] args) throws IOException {
    List<String> payloads = payloads(Path.of(args[0]));
    AnomalyUdf udf = new AnomalyUdf();
    double[] readings = new double[210];
    ToDoubleFunction<String> score = payload -> udf.anomaly(payload.substring(payload.indexOf(',') + 1));
    ToDoubleFunction<String> parseOnly = payload -> SensorInputParser.parse(payload.substring(payload.indexOf(',') + 1), readings) ? readings[0] : 0;

    double scoresPerSecond = measure(payloads, score);
    double parsesPerSecond = measure(payloads, parseOnly);
    System.out.println(String.format(Locale.ROOT,
        "{\"benchmark\":\"udf\",\"threads\":1,\"scoresPerSecond\":%.0f,\"parseOnlyPerSecond\":%.0f,\"target\":%.0f,\"meetsTarget\":%b,\"payloads\":%d,\"java\":\"%s\"}",
        scoresPerSecond, parsesPerSecond, TARGET, scoresPerSecond >= TARGET, payloads.size(), System.getProperty("java.version")));
  }

  /** Best of RUNS timed runs after a warm-up, in operations per second. */
  private static double measure(List<String> payloads, ToDoubleFunction<String> op) {
    run(payloads, op, WARMUP_NANOS);
    double best = 0;
    for (int r = 0; r < RUNS; r++) best = Math.max(best, run(payloads, op, RUN_NANOS));
    return best;
  }

  private static volatile double sink;

  private static double run(List<String> payloads, ToDoubleFunction<String> op, long nanos) {
    long start = System.nanoTime();
    long ops = 0;
    double sum = 0;
    while (System.nanoTime() - start < nanos) {
      for (String payload : payloads) sum += op.applyAsDouble(payload);
      ops += payloads.size();
    }
    sink = sum;
    return ops / ((System.nanoTime() - start) / 1e9);
  }

  /** The labelled fixture's windows as published payloads: `<eventId>,<v1># <v2># ...`, two decimals. */
  private static List<String> payloads(Path csv) throws IOException {
    List<String> payloads = new ArrayList<>();
    List<String> lines = Files.readAllLines(csv);
    for (String line : lines.subList(1, lines.size())) {
      String[] fields = line.split(",");
      StringBuilder payload = new StringBuilder(fields[1]).append(',');
      for (int i = 3; i < fields.length; i++) {
        if (i > 3) payload.append("# ");
        payload.append(String.format(Locale.ROOT, "%.2f", Double.parseDouble(fields[i])));
      }
      payloads.add(payload.toString());
    }
    return payloads;
  }
}
