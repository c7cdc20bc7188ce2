package dev.edgeml.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AnomalyUdfTest {
  private static final List<LabelledWindows.Window> WINDOWS = LabelledWindows.load();
  private final AnomalyUdf udf = new AnomalyUdf();

  @Test
  void separatesLabelledGeneratorWindowsAtTheScenarioThreshold() {
    double threshold = LabelledWindows.scenarioThreshold();
    int truePositives = 0;
    int flagged = 0;
    int anomalous = 0;
    for (LabelledWindows.Window window : WINDOWS) {
      Double score = udf.anomaly(window.sensorInput);
      assertNotNull(score, "window " + window.carId + "/" + window.eventId);
      assertTrue(Double.isFinite(score) && score >= 0, "score " + score);
      boolean flag = score > threshold;
      if (flag) flagged++;
      if (window.anomalous()) anomalous++;
      if (flag && window.anomalous()) truePositives++;
    }
    double recall = (double) truePositives / anomalous;
    double precision = (double) truePositives / flagged;
    // 300 windows, 70 faults: the full-size check is `edge-ml model eval` (>= 0.95 on 10,000 windows).
    assertTrue(recall >= 0.9, "recall " + recall);
    assertTrue(precision >= 0.9, "precision " + precision);
  }

  @Test
  void normalWindowsScoreBelowFaultyOnesOnAverage() {
    double normal = meanScore(false);
    double faulty = meanScore(true);
    assertTrue(faulty > 3 * normal, "mean normal " + normal + ", mean faulty " + faulty);
  }

  private double meanScore(boolean anomalous) {
    return WINDOWS.stream().filter(w -> w.anomalous() == anomalous).mapToDouble(w -> udf.anomaly(w.sensorInput)).average().orElseThrow();
  }

  static List<String> unscorableInputs() {
    String good = WINDOWS.get(0).sensorInput;
    String[] readings = good.split("# ");
    List<String> inputs = new ArrayList<>();
    inputs.add(null);
    inputs.add("");
    inputs.add("   ");
    inputs.add(String.join("# ", Arrays.copyOf(readings, 209)));
    inputs.add(good + "# 5.00");
    inputs.add(good + "#");
    inputs.add(good.replaceFirst("^[^#]+", "abc"));
    inputs.add(good.replaceFirst("^[^#]+", "NaN"));
    inputs.add(good.replaceFirst("^[^#]+", "Infinity"));
    inputs.add(good.replaceFirst("^[^#]+", "1e999"));
    inputs.add(good.replaceFirst("^[^#]+", " "));
    inputs.add(good.replaceFirst("^[^#]+", "4.5.6"));
    inputs.add(good.replaceFirst("^[^#]+", "-"));
    inputs.add(good.replace("# ", ","));
    return inputs;
  }

  @ParameterizedTest
  @MethodSource("unscorableInputs")
  void returnsNullAndCountsInputItCannotScore(String input) {
    long before = AnomalyUdf.unscorableCount();
    assertNull(udf.anomaly(input));
    assertEquals(before + 1, AnomalyUdf.unscorableCount());
  }

  @Test
  void parsesTheSeedFormatWithOrWithoutSpacesAfterTheSeparator() {
    String spaced = WINDOWS.get(1).sensorInput;
    Double withSpaces = udf.anomaly(spaced);
    assertNotNull(withSpaces);
    assertEquals(withSpaces, udf.anomaly(spaced.replace("# ", "#")));
    assertEquals(withSpaces, udf.anomaly(spaced.replace("# ", " #  ")));
  }

  @Test
  void eightThreadsScoreLikeOne() throws Exception {
    List<Double> single = WINDOWS.stream().map(w -> udf.anomaly(w.sensorInput)).collect(Collectors.toList());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<List<Double>>> tasks = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int offset = t * 37;
        tasks.add(() -> {
          // Each thread walks the windows from its own offset, so threads score different windows at once.
          List<Double> scores = new ArrayList<>(Collections.nCopies(WINDOWS.size(), (Double) null));
          for (int repeat = 0; repeat < 5; repeat++) {
            for (int k = 0; k < WINDOWS.size(); k++) {
              int i = (k + offset) % WINDOWS.size();
              scores.set(i, new AnomalyUdf().anomaly(WINDOWS.get(i).sensorInput));
            }
          }
          return scores;
        });
      }
      for (Future<List<Double>> result : pool.invokeAll(tasks)) assertEquals(single, result.get());
    } finally {
      pool.shutdownNow();
    }
  }
}
