package dev.edgeml.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ArrayTanhTest {
  @Test
  void agreesWithStrictMathWithin10Ulp() {
    Random random = new Random(42);
    double[] x = new double[100_000];
    for (int i = 0; i < x.length; i++) {
      // Half over [-25, 25], half tiny values of every size down to 1e-12, where cancellation would show.
      x[i] = i % 2 == 0 ? (random.nextDouble() - 0.5) * 50 : (random.nextDouble() - 0.5) * Math.pow(10, -random.nextInt(13));
    }
    double[] values = x.clone();
    new ArrayTanh(values.length).apply(values, values.length);
    for (int i = 0; i < x.length; i++) {
      double expected = StrictMath.tanh(x[i]);
      assertTrue(Math.abs(values[i] - expected) <= 10 * Math.ulp(expected), "tanh(" + x[i] + ") = " + values[i] + ", not " + expected);
    }
  }

  @Test
  void keepsSignsLimitsAndNaN() {
    double[] values = {0.0, -0.0, 1e300, -1e300, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 7};
    new ArrayTanh(values.length).apply(values, values.length - 1);
    assertEquals(0.0, values[0]);
    assertEquals(-0.0, values[1]);
    assertEquals(1.0, values[2]);
    assertEquals(-1.0, values[3]);
    assertEquals(1.0, values[4]);
    assertEquals(-1.0, values[5]);
    assertTrue(Double.isNaN(values[6]));
    assertEquals(7, values[7], "values past n are left as they are");
  }
}
