package dev.edgeml.udf;

import io.confluent.ksql.function.FunctionCategory;
import io.confluent.ksql.function.udf.Udf;
import io.confluent.ksql.function.udf.UdfDescription;
import io.confluent.ksql.function.udf.UdfParameter;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code ANOMALY(sensorinput VARCHAR) RETURNS DOUBLE}: the autoencoder's mean squared
 * reconstruction error of a window of 210 engine-temperature readings; NULL for input it cannot
 * score. Never throws into the engine. The model is loaded once per JVM, on first use.
 */
@UdfDescription(
    name = "anomaly",
    description = "Mean squared reconstruction error of an autoencoder over 210 readings "
        + "'v1# v2# ... # v210'; higher is more anomalous. NULL when the input cannot be scored.",
    category = FunctionCategory.MATHEMATICAL,
    author = "edge-ml",
    version = "0.1.0")
public class AnomalyUdf {
  private static final UnscorableInputLog UNSCORABLE = new UnscorableInputLog();

  /** Per-thread working buffers: scoring allocates nothing of its own per call. */
  private static final ThreadLocal<AutoencoderModel.Workspace> WORKSPACES =
      ThreadLocal.withInitial(() -> ModelHolder.MODEL.newWorkspace());

  @Udf(description = "Reconstruction error of the window; NULL when it cannot be scored")
  public Double anomaly(@UdfParameter(value = "sensorinput", description = "210 readings separated by '#'") String sensorinput) {
    if (sensorinput == null) return unscorable("null input");
    if (ModelHolder.MODEL == null) return unscorable("the model failed to load");
    AutoencoderModel.Workspace workspace = WORKSPACES.get();
    if (!SensorInputParser.parse(sensorinput, workspace.readings)) {
      return unscorable("not " + workspace.readings.length + " finite readings: '" + abbreviate(sensorinput) + "'");
    }
    try {
      return ModelHolder.MODEL.reconstructionError(workspace);
    } catch (RuntimeException e) {
      return unscorable("scoring failed: " + e);
    }
  }

  /** Inputs this JVM's ANOMALY returned NULL for. */
  public static long unscorableCount() {
    return UNSCORABLE.count();
  }

  private static Double unscorable(String reason) {
    UNSCORABLE.record(reason);
    return null;
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }

  /** Lazy, thread-safe, once per JVM (class initialisation); a failure leaves MODEL null, logged once. */
  private static final class ModelHolder {
    static final AutoencoderModel MODEL = load();

    private static AutoencoderModel load() {
      try {
        return AutoencoderModel.loadBundled();
      } catch (RuntimeException e) {
        Logger.getLogger(AnomalyUdf.class.getName()).log(Level.SEVERE, "ANOMALY cannot load its model; it returns NULL", e);
        return null;
      }
    }
  }
}
