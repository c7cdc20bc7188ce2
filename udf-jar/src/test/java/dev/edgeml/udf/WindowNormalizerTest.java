package dev.edgeml.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class WindowNormalizerTest {
  @Test
  void smoothsCentresAndScalesLikeTheTrainingScript() {
    Random random = new Random(5);
    double[] readings = new double[23];
    for (int i = 0; i < readings.length; i++) readings[i] = 5 + random.nextGaussian();
    double[] input = new double[readings.length];
    new WindowNormalizer(5, 0.5).normalize(readings, input);

    // Straightforward version of train.py's normalize(): truncated centred mean, then centre, then scale.
    double[] smooth = new double[readings.length];
    double mean = 0;
    for (int i = 0; i < readings.length; i++) {
      int lo = Math.max(0, i - 2);
      int hi = Math.min(readings.length, i + 3);
      double sum = 0;
      for (int j = lo; j < hi; j++) sum += readings[j];
      smooth[i] = sum / (hi - lo);
      mean += smooth[i] / readings.length;
    }
    for (int i = 0; i < readings.length; i++) assertEquals((smooth[i] - mean) / 0.5, input[i], 1e-12, "reading " + i);
  }

  @Test
  void widthOneOnlyCentresAndScales() {
    double[] input = new double[3];
    new WindowNormalizer(1, 2).normalize(new double[] {1, 2, 6}, input);
    assertEquals(-1, input[0], 1e-12);
    assertEquals(-0.5, input[1], 1e-12);
    assertEquals(1.5, input[2], 1e-12);
  }
}
