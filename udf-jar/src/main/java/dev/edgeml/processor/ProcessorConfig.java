package dev.edgeml.processor;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The processor's settings: {@code --name value} flags, each falling back to an environment variable
 * EDGE_ML_NAME (upper case, '-' as '_'), then to the scenario's defaults.
 */
public final class ProcessorConfig {
  static final String[] FLAGS = {
    "bootstrap-servers", "source-topic", "scores-topic", "anomalies-topic", "threshold",
    "car-id-pattern", "application-id", "state-dir", "status-file", "replication-factor",
    "commit-interval-ms",
  };
  /**
   * The cluster's client properties (security.protocol, sasl.jaas.config, ssl.truststore.* ...), as
   * properties text in this variable: it holds secrets, so it comes through the environment, never
   * a file in the state dir or the command line that `ps` shows.
   */
  static final String CLIENT_PROPERTIES_ENV = "EDGE_ML_KAFKA_CLIENT_PROPERTIES";

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
  /** Replication of the internal topics; -1 takes the cluster's default.replication.factor. */
  public final int replicationFactor;
  /**
   * Kafka Streams' commit.interval.ms. Under exactly-once a scored record is visible only once its
   * transaction commits, so this is the latency floor; each commit also costs the cluster a
   * transaction (markers on every partition written, replicated). 20 by default.
   */
  public final int commitIntervalMs;
  /** Connection properties for every Kafka client of the processor; empty for plaintext. */
  public final Properties clientProperties;

  private ProcessorConfig(Map<String, String> values, Properties clientProperties) {
    bootstrapServers = values.getOrDefault("bootstrap-servers", "127.0.0.1:9092");
    sourceTopic = values.getOrDefault("source-topic", "temperature");
    scoresTopic = values.getOrDefault("scores-topic", "ANOMALYDETECTION");
    anomaliesTopic = values.getOrDefault("anomalies-topic", "ANOMALYDETECTIONWITHFILTER");
    threshold = parseThreshold(values.get("threshold"));
    carIdPattern = parsePattern(values.getOrDefault("car-id-pattern", "^car/([^/]+)/engine/temperature$"));
    applicationId = values.getOrDefault("application-id", "edge-ml-processor");
    stateDir = values.containsKey("state-dir") ? Paths.get(values.get("state-dir")) : null;
    statusFile = values.containsKey("status-file") ? Paths.get(values.get("status-file")) : null;
    replicationFactor = parseReplicationFactor(values.getOrDefault("replication-factor", "-1"));
    commitIntervalMs = parseCommitInterval(values.getOrDefault("commit-interval-ms", "20"));
    this.clientProperties = clientProperties;
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
    return new ProcessorConfig(values, parseClientProperties(env.get(CLIENT_PROPERTIES_ENV)));
  }

  private static Properties parseClientProperties(String text) {
    Properties properties = new Properties();
    if (text == null) return properties;
    try {
      properties.load(new StringReader(text));
    } catch (IOException | IllegalArgumentException e) {
      // Not the text: it holds secrets.
      throw new IllegalArgumentException(CLIENT_PROPERTIES_ENV + " is not valid properties text: " + e.getClass().getSimpleName());
    }
    return properties;
  }

  private static int parseReplicationFactor(String text) {
    Integer factor = wholeNumber(text);
    if (factor != null && (factor == -1 || factor >= 1)) return factor;
    throw new IllegalArgumentException("--replication-factor must be -1 (the cluster's default) or a whole number from 1, got '" + text + "'");
  }

  private static int parseCommitInterval(String text) {
    Integer ms = wholeNumber(text);
    if (ms != null && ms >= 1) return ms;
    throw new IllegalArgumentException("--commit-interval-ms must be a whole number of milliseconds from 1, got '" + text + "'");
  }

  /** The int the text spells, or null: the caller's message says what was expected. */
  private static Integer wholeNumber(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return null;
    }
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
