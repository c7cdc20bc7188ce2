package dev.edgeml.udf;

import hex.genmodel.algos.deeplearning.DeeplearningMojoModel;
import java.lang.reflect.Field;
import java.util.Arrays;

/**
 * The forward pass of an H2O deep learning MOJO with tanh units (an autoencoder's output layer
 * included), with the weights h2o-genmodel loaded. Each layer adds up the input's weight rows,
 * out[u] += x[i] * row_i[u]: C2 on JDK 17 vectorises that loop over row arrays, and not the same
 * loop over one flat array at offset i * units + u (measured: 3x slower). Then tanh by
 * {@link ArrayTanh}. Same formulas as genmodel's score0 up to rounding (its tanh is
 * 1 - 2 / (1 + e^2x)); AutoencoderModelTest checks the two agree. Several times faster than score0,
 * which also allocates per call. Hidden units that cannot change the output are left out (see
 * {@link #withoutIdleUnits}): the bundled model uses 13 of its 50, 20 and 50.
 */
final class TanhNetwork {
  private final int[] sizes;
  /** Per layer: weight of input i to unit u at [i][u]. */
  private final double[][][] weights;
  private final double[][] biases;

  private TanhNetwork(int[] sizes, double[][][] weights, double[][] biases) {
    this.sizes = sizes;
    this.weights = weights;
    this.biases = biases;
  }

  /** The network of {@code mojo}, without its idle units. */
  static TanhNetwork of(DeeplearningMojoModel mojo) {
    return dense(mojo).withoutIdleUnits();
  }

  /** Every unit of {@code mojo}'s layers, as genmodel has them. */
  static TanhNetwork dense(DeeplearningMojoModel mojo) {
    if (!"Tanh".equals(mojo._activation)) throw new IllegalArgumentException("expected a Tanh network, got " + mojo._activation);
    if (mojo._cats != 0 || !identity(mojo._normmul, 1) || !identity(mojo._normsub, 0)) {
      throw new IllegalArgumentException("expected numeric inputs trained with standardize=False");
    }
    int[] sizes = mojo._units.clone();
    double[][][] weights = new double[sizes.length - 1][][];
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
        double[][] rows = new double[inputs][units];
        for (int u = 0; u < units; u++) {
          for (int i = 0; i < inputs; i++) rows[i][u] = unitMajor[u * inputs + i];
        }
        weights[layer] = rows;
        biases[layer] = ((double[]) bValues.get(mojo._weightsAndBias[layer])).clone();
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("this h2o-genmodel stores deep learning weights differently", e);
    }
    return new TanhNetwork(sizes, weights, biases);
  }

  /**
   * The same network without the hidden units that cannot change its output: a unit whose bias and
   * weights from every kept input are 0 outputs tanh(0) = 0 whatever the input, and a unit whose
   * weights to every kept unit of the next layer are 0 is never read. Leaving them out leaves out
   * only terms x * 0 of each sum, which add nothing: the outputs are the same doubles (a test checks
   * bit for bit), at a fraction of the work when training left units unused. Inputs and outputs all stay.
   */
  TanhNetwork withoutIdleUnits() {
    int layers = sizes.length;
    boolean[][] kept = new boolean[layers][];
    for (int layer = 0; layer < layers; layer++) {
      kept[layer] = new boolean[sizes[layer]];
      boolean hidden = layer > 0 && layer < layers - 1;
      for (int u = 0; u < sizes[layer]; u++) kept[layer][u] = !hidden || feedsOn(layer - 1, u, kept[layer - 1]);
    }
    for (int layer = layers - 2; layer > 0; layer--) {
      for (int u = 0; u < sizes[layer]; u++) kept[layer][u] &= isRead(layer, u, kept[layer + 1]);
    }
    int[] keptSizes = new int[layers];
    int[][] keptUnits = new int[layers][];
    for (int layer = 0; layer < layers; layer++) {
      keptUnits[layer] = indexesOfTrue(kept[layer]);
      keptSizes[layer] = keptUnits[layer].length;
    }
    double[][][] keptWeights = new double[layers - 1][][];
    double[][] keptBiases = new double[layers - 1][];
    for (int layer = 0; layer < layers - 1; layer++) {
      int[] inputs = keptUnits[layer];
      int[] units = keptUnits[layer + 1];
      keptWeights[layer] = new double[inputs.length][units.length];
      keptBiases[layer] = new double[units.length];
      for (int u = 0; u < units.length; u++) {
        keptBiases[layer][u] = biases[layer][units[u]];
        for (int i = 0; i < inputs.length; i++) keptWeights[layer][i][u] = weights[layer][inputs[i]][units[u]];
      }
    }
    return new TanhNetwork(keptSizes, keptWeights, keptBiases);
  }

  /** Whether unit {@code u} of layer {@code layer + 1} has a bias or a weight from a kept input. */
  private boolean feedsOn(int layer, int u, boolean[] keptInputs) {
    if (biases[layer][u] != 0) return true;
    for (int i = 0; i < keptInputs.length; i++) if (keptInputs[i] && weights[layer][i][u] != 0) return true;
    return false;
  }

  /** Whether unit {@code u} of layer {@code layer} has a weight to a kept unit of the next layer. */
  private boolean isRead(int layer, int u, boolean[] keptUnits) {
    double[] row = weights[layer][u];
    for (int v = 0; v < keptUnits.length; v++) if (keptUnits[v] && row[v] != 0) return true;
    return false;
  }

  private static int[] indexesOfTrue(boolean[] flags) {
    int count = 0;
    for (boolean flag : flags) if (flag) count++;
    int[] indexes = new int[count];
    for (int i = 0, next = 0; i < flags.length; i++) if (flags[i]) indexes[next++] = i;
    return indexes;
  }

  /** Units per layer, inputs first. */
  int[] sizes() {
    return sizes.clone();
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

  /** Working memory for one thread's forward passes. */
  Buffers newBuffers() {
    return new Buffers(sizes);
  }

  /** Runs {@code input} through the network; the result is {@code buffers.output()}. */
  double[] forward(double[] input, Buffers buffers) {
    double[] in = input;
    for (int layer = 0; layer < weights.length; layer++) {
      double[] out = buffers.layers[layer];
      double[][] rows = weights[layer];
      int units = out.length;
      System.arraycopy(biases[layer], 0, out, 0, units);
      addWeightedRows(in, rows, out);
      buffers.tanh.apply(out, units);
      in = out;
    }
    return in;
  }

  /**
   * out[u] += x[i] * rows[i][u] for every input i, in order of i. Four rows a pass over out (each
   * out[u] still adds them in order, so the sums are the same) saves three in four of its loads and
   * stores: 1.3 to 1.9x faster than a row a pass.
   */
  private static void addWeightedRows(double[] x, double[][] rows, double[] out) {
    int units = out.length;
    int i = 0;
    for (; i + 4 <= x.length; i += 4) {
      double x0 = x[i], x1 = x[i + 1], x2 = x[i + 2], x3 = x[i + 3];
      double[] r0 = rows[i], r1 = rows[i + 1], r2 = rows[i + 2], r3 = rows[i + 3];
      for (int u = 0; u < units; u++) out[u] = out[u] + r0[u] * x0 + r1[u] * x1 + r2[u] * x2 + r3[u] * x3;
    }
    for (; i < x.length; i++) {
      double xi = x[i];
      double[] row = rows[i];
      for (int u = 0; u < units; u++) out[u] += row[u] * xi;
    }
  }

  /** One thread's buffers: each layer's output, and the tanh's scratch. */
  static final class Buffers {
    private final double[][] layers;
    private final ArrayTanh tanh;

    private Buffers(int[] sizes) {
      layers = new double[sizes.length - 1][];
      int widest = 0;
      for (int layer = 0; layer < layers.length; layer++) {
        layers[layer] = new double[sizes[layer + 1]];
        widest = Math.max(widest, sizes[layer + 1]);
      }
      tanh = new ArrayTanh(widest);
    }

    /** The last forward pass's result: the output layer. */
    double[] output() {
      return layers[layers.length - 1];
    }
  }

  @Override
  public String toString() {
    return "TanhNetwork" + Arrays.toString(sizes);
  }
}
