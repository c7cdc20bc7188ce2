package dev.edgeml.udf;

/**
 * The model's input transform, applied identically by train/train.py before training:
 * a centred moving average (truncated at the window's edges) to lower the sensor-noise floor of the
 * reconstruction error, then centring on the window's mean (a car's baseline does not matter) and
 * division by a fixed scale (the size of a deviation still does). Its parameters are part of the
 * model and come from the model's properties.
 */
public final class WindowNormalizer {
  private final int halfWidth;
  private final double scale;

  public WindowNormalizer(int smoothing, double scale) {
    if (smoothing < 1 || smoothing % 2 == 0) throw new IllegalArgumentException("smoothing must be odd and positive, got " + smoothing);
    if (!(scale > 0) || !Double.isFinite(scale)) throw new IllegalArgumentException("scale must be positive, got " + scale);
    this.halfWidth = smoothing / 2;
    this.scale = scale;
  }

  /** The divisor that brings centred readings to the network's scale. */
  public double scale() {
    return scale;
  }

  /** Writes the transform of {@code readings} into {@code input} (same length). */
  public void normalize(double[] readings, double[] input) {
    int n = readings.length;
    double windowSum = 0;
    for (int i = 0; i < Math.min(halfWidth + 1, n); i++) windowSum += readings[i];
    double total = 0;
    for (int i = 0; i < n; i++) {
      int lo = Math.max(i - halfWidth, 0);
      int hi = Math.min(i + halfWidth + 1, n);
      input[i] = windowSum / (hi - lo);
      total += input[i];
      if (i + halfWidth + 1 < n) windowSum += readings[i + halfWidth + 1];
      if (i - halfWidth >= 0) windowSum -= readings[i - halfWidth];
    }
    double mean = total / n;
    for (int i = 0; i < n; i++) input[i] = (input[i] - mean) / scale;
  }
}
