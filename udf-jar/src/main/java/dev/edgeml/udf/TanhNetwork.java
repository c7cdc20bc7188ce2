package dev.edgeml.udf;

import hex.genmodel.algos.deeplearning.DeeplearningMojoModel;
import java.lang.reflect.Field;
import java.util.Arrays;

/**
 * The forward pass of an H2O deep learning MOJO with tanh units (an autoencoder's output layer
 * included), with the weights h2o-genmodel loaded, laid out input-major so that the inner loop is a
 * plain multiply-add over an array that the JIT vectorises. Same formulas as genmodel's score0
 * (tanh as 1 - 2 / (1 + e^2x)); AutoencoderModelTest checks the two agree. Several times faster
 * than genmodel's score0, which allocates per call: what lets one thread score 50,000 windows a second.
 */
final class TanhNetwork {
  private final int[] sizes;
  /** Per layer: weight of input i to unit u at [i * units + u]. */
  private final double[][] weights;
  private final double[][] biases;

  private TanhNetwork(int[] sizes, double[][] weights, double[][] biases) {
    this.sizes = sizes;
    this.weights = weights;
    this.biases = biases;
  }

  static TanhNetwork of(DeeplearningMojoModel mojo) {
    if (!"Tanh".equals(mojo._activation)) throw new IllegalArgumentException("expected a Tanh network, got " + mojo._activation);
    if (mojo._cats != 0 || !identity(mojo._normmul, 1) || !identity(mojo._normsub, 0)) {
      throw new IllegalArgumentException("expected numeric inputs trained with standardize=False");
    }
    int[] sizes = mojo._units.clone();
    double[][] weights = new double[sizes.length - 1][];
    double[][] biases = new double[sizes.length - 1][];
    try {
      Field wValues = DeeplearningMojoModel.StoreWeightsBias.class.getDeclaredField("_wValues");
      Field bValues = DeeplearningMojoModel.StoreWeightsBias.class.getDeclaredField("_bValues");
      wValues.setAccessible(true);
      bValues.setAccessible(true);
      for (int layer = 0; layer < weights.length; layer++) {
        int inputs = sizes[layer];
        int units = sizes[layer + 1];
        // genmodel stores unit-major: weight of input i to unit u at [u * inputs + i].
        float[] unitMajor = (float[]) wValues.get(mojo._weightsAndBias[layer]);
        double[] inputMajor = new double[inputs * units];
        for (int u = 0; u < units; u++) {
          for (int i = 0; i < inputs; i++) inputMajor[i * units + u] = unitMajor[u * inputs + i];
        }
        weights[layer] = inputMajor;
        biases[layer] = ((double[]) bValues.get(mojo._weightsAndBias[layer])).clone();
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("this h2o-genmodel stores deep learning weights differently", e);
    }
    return new TanhNetwork(sizes, weights, biases);
  }

  /** True when the standardisation array is absent or leaves every value as it is. */
  private static boolean identity(double[] factors, double neutral) {
    if (factors == null) return true;
    for (double f : factors) if (f != neutral) return false;
    return true;
  }

  int inputSize() {
    return sizes[0];
  }

  /** Buffers for one thread: one array per layer after the input. */
  double[][] newActivations() {
    double[][] activations = new double[sizes.length - 1][];
    for (int layer = 0; layer < activations.length; layer++) activations[layer] = new double[sizes[layer + 1]];
    return activations;
  }

  /** Runs {@code input} through the network; the result is the last array of {@code activations}. */
  double[] forward(double[] input, double[][] activations) {
    double[] in = input;
    for (int layer = 0; layer < weights.length; layer++) {
      double[] out = activations[layer];
      double[] w = weights[layer];
      int units = out.length;
      System.arraycopy(biases[layer], 0, out, 0, units);
      for (int i = 0; i < in.length; i++) {
        double x = in[i];
        if (x == 0) continue; // units without weights (tanh(0) = 0) add nothing
        int base = i * units;
        for (int u = 0; u < units; u++) out[u] += w[base + u] * x;
      }
      for (int u = 0; u < units; u++) out[u] = 1 - 2 / (1 + Math.exp(2 * out[u]));
      in = out;
    }
    return in;
  }

  @Override
  public String toString() {
    return "TanhNetwork" + Arrays.toString(sizes);
  }
}
