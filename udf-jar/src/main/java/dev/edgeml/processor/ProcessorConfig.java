package dev.edgeml.processor;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The processor's settings: {@code --name value} flags, each falling back to an environment variable
 * EDGE_ML_NAME (upper case, '-' as '_'), then to the scenario's defaults.
 */
public final class ProcessorConfig {
  static final String[] FLAGS = {
    "bootstrap-servers", "source-topic", "scores-topic", "anomalies-topic", "threshold",
    "car-id-pattern", "application-id", "state-dir", "status-file",
  };

  public final String bootstrapServers;
  public final String sourceTopic;
  public final String scoresTopic;
  public final String anomaliesTopic;
  public final double threshold;
  public final String carIdPattern;
  public final String applicationId;
  /** Kafka Streams' state directory, or null for its default. */
  public final Path stateDir;
  /** Where the status JSON is written, or null for none. */
  public final Path statusFile;

  private ProcessorConfig(Map<String, String> values) {
    bootstrapServers = values.getOrDefault("bootstrap-servers", "127.0.0.1:9092");
    sourceTopic = values.getOrDefault("source-topic", "temperature");
    scoresTopic = values.getOrDefault("scores-topic", "ANOMALYDETECTION");
    anomaliesTopic = values.getOrDefault("anomalies-topic", "ANOMALYDETECTIONWITHFILTER");
    threshold = parseThreshold(values.get("threshold"));
    carIdPattern = parsePattern(values.getOrDefault("car-id-pattern", "^car/([^/]+)/engine/temperature$"));
    applicationId = values.getOrDefault("application-id", "edge-ml-processor");
    stateDir = values.containsKey("state-dir") ? Paths.get(values.get("state-dir")) : null;
    statusFile = values.containsKey("status-file") ? Paths.get(values.get("status-file")) : null;
  }

  /** @throws IllegalArgumentException with a message for the user when a flag is unknown or invalid */
  public static ProcessorConfig parse(String[] args, Map<String, String> env) {
    Map<String, String> values = new HashMap<>();
    for (String flag : FLAGS) {
      String fromEnv = env.get("EDGE_ML_" + flag.toUpperCase().replace('-', '_'));
      if (fromEnv != null && !fromEnv.isEmpty()) values.put(flag, fromEnv);
    }
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + arg + "'");
      int equals = arg.indexOf('=');
      String name = arg.substring(2, equals < 0 ? arg.length() : equals);
      if (!Arrays.asList(FLAGS).contains(name)) throw new IllegalArgumentException("unknown flag --" + name + "; flags: --" + String.join(", --", FLAGS));
      if (equals >= 0) {
        values.put(name, arg.substring(equals + 1));
      } else if (i + 1 < args.length) {
        values.put(name, args[++i]);
      } else {
        throw new IllegalArgumentException("--" + name + " needs a value");
      }
    }
    return new ProcessorConfig(values);
  }

  private static double parseThreshold(String text) {
    if (text == null) throw new IllegalArgumentException("--threshold (or EDGE_ML_THRESHOLD) is required: the scenario's model.threshold");
    try {
      double threshold = Double.parseDouble(text);
      if (Double.isFinite(threshold)) return threshold;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("--threshold must be a finite number, got '" + text + "'");
  }

  private static String parsePattern(String regex) {
    try {
      Pattern.compile(regex);
      return regex;
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("--car-id-pattern is not a valid regex: " + e.getDescription());
    }
  }
}
