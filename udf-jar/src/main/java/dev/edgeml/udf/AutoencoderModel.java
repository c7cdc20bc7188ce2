package dev.edgeml.udf;

import hex.genmodel.ModelMojoReader;
import hex.genmodel.MojoReaderBackend;
import hex.genmodel.MojoReaderBackendFactory;
import hex.genmodel.algos.deeplearning.DeeplearningMojoModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The trained autoencoder: an H2O deep learning MOJO (a resource of this jar) loaded by h2o-genmodel,
 * plus its input transform. Immutable after loading and safe to share between threads; all working
 * memory is in the caller's {@link Workspace}.
 */
public final class AutoencoderModel {
  static final String RESOURCE_DIR = "/dev/edgeml/udf/model/";
  static final String MOJO_RESOURCE = RESOURCE_DIR + "autoencoder.zip";
  static final String PROPERTIES_RESOURCE = RESOURCE_DIR + "autoencoder.properties";

  private final DeeplearningMojoModel mojo;
  private final TanhNetwork network;
  private final WindowNormalizer normalizer;

  private AutoencoderModel(DeeplearningMojoModel mojo, WindowNormalizer normalizer) {
    this.mojo = mojo;
    this.network = TanhNetwork.of(mojo);
    this.normalizer = normalizer;
  }

  /** Loads the model bundled in this jar. */
  public static AutoencoderModel loadBundled() {
    Properties properties = new Properties();
    try (InputStream mojoStream = resource(MOJO_RESOURCE); InputStream propertiesStream = resource(PROPERTIES_RESOURCE)) {
      properties.load(propertiesStream);
      MojoReaderBackend backend = MojoReaderBackendFactory.createReaderBackend(mojoStream, MojoReaderBackendFactory.CachingStrategy.MEMORY);
      DeeplearningMojoModel mojo = (DeeplearningMojoModel) ModelMojoReader.readFrom(backend);
      int smoothing = Integer.parseInt(properties.getProperty("input.smoothing"));
      double scale = Double.parseDouble(properties.getProperty("input.scale"));
      return new AutoencoderModel(mojo, new WindowNormalizer(smoothing, scale));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the bundled model " + MOJO_RESOURCE, e);
    }
  }

  private static InputStream resource(String name) throws IOException {
    InputStream stream = AutoencoderModel.class.getResourceAsStream(name);
    if (stream == null) throw new IOException("resource " + name + " is missing from the jar");
    return stream;
  }

  /** Buffers for one thread's scoring, sized for this model. */
  public Workspace newWorkspace() {
    return new Workspace(network.inputSize(), network.newBuffers());
  }

  /**
   * Mean squared reconstruction error of the readings in {@code workspace.readings}, in the
   * readings' own units (squared degrees of the smoothed, centred window), not the network's scale.
   */
  public double reconstructionError(Workspace workspace) {
    double[] input = workspace.input;
    normalizer.normalize(workspace.readings, input);
    double[] reconstruction = network.forward(input, workspace.network);
    double sum = 0;
    for (int i = 0; i < input.length; i++) {
      double d = input[i] - reconstruction[i];
      sum += d * d;
    }
    return sum / input.length * normalizer.scale() * normalizer.scale();
  }

  /** The reconstruction of h2o-genmodel's own scorer, which {@link TanhNetwork} must match. */
  double[] genmodelReconstruction(double[] input) {
    return mojo.score0(input, new double[input.length]);
  }

  /** The network that scores, without idle units. */
  TanhNetwork network() {
    return network;
  }

  /** The network with every unit genmodel has, which {@link #network} must match bit for bit. */
  TanhNetwork denseNetwork() {
    return TanhNetwork.dense(mojo);
  }

  /** Transforms raw readings as the model's input (a copy). */
  double[] transform(double[] readings) {
    double[] input = new double[readings.length];
    normalizer.normalize(readings, input);
    return input;
  }

  /** Per-thread scoring buffers: the raw readings, the model's input and the network's buffers. */
  public static final class Workspace {
    public final double[] readings;
    final double[] input;
    final TanhNetwork.Buffers network;

    Workspace(int windowSize, TanhNetwork.Buffers network) {
      readings = new double[windowSize];
      input = new double[windowSize];
      this.network = network;
    }
  }
}
