package dev.edgeml.udf;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;

/**
 * Scores payloads from the shell: reads lines {@code <eventId>,<v1># ... # <v210>} (the seed's MQTT
 * payload) on stdin and prints one line per input: the ANOMALY score, or {@code null}. Used by
 * {@code edge-ml model score} and {@code model eval}.
 */
public final class ScoreCli {
  private ScoreCli() {}

  public static void main(String[] args) throws IOException {
    AnomalyUdf udf = new AnomalyUdf();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      Double score = udf.anomaly(sensorInputOf(line));
      out.write(score == null ? "null" : score.toString());
      out.newLine();
    }
    out.flush();
  }

  /** The readings after the first comma, or null when there is no comma. */
  static String sensorInputOf(String payload) {
    int comma = payload.indexOf(',');
    return comma < 0 ? null : payload.substring(comma + 1);
  }
}
