package dev.edgeml.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Paths;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessorConfigTest {
  @Test
  void flagsWinOverEnvironmentWhichWinsOverDefaults() {
    Map<String, String> env = Map.of("EDGE_ML_THRESHOLD", "0.5", "EDGE_ML_SOURCE_TOPIC", "from-env", "EDGE_ML_STATUS_FILE", "/tmp/s.json");
    ProcessorConfig config = ProcessorConfig.parse(new String[] {"--threshold", "0.25", "--scores-topic=S"}, env);
    assertEquals(0.25, config.threshold);
    assertEquals("from-env", config.sourceTopic);
    assertEquals("S", config.scoresTopic);
    assertEquals("ANOMALYDETECTIONWITHFILTER", config.anomaliesTopic);
    assertEquals("edge-ml-processor", config.applicationId);
    assertEquals(Paths.get("/tmp/s.json"), config.statusFile);
    assertNull(config.stateDir);
    assertEquals(-1, config.replicationFactor);
    assertEquals(20, config.commitIntervalMs);
    assertTrue(config.clientProperties.isEmpty());
  }

  @Test
  void clientPropertiesComeFromTheEnvironmentAndReachEveryStreamsClient() {
    String text = "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n"
        + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p=w\";\n"
        + "bootstrap.servers=ignored:1\n";
    Map<String, String> env = Map.of(ProcessorConfig.CLIENT_PROPERTIES_ENV, text);
    ProcessorConfig config = ProcessorConfig.parse(new String[] {"--threshold", "1", "--bootstrap-servers", "b:9093", "--replication-factor", "3", "--commit-interval-ms", "50"}, env);
    java.util.Properties streams = AnomalyProcessor.streamsProperties(config);
    assertEquals("SASL_SSL", streams.get("security.protocol"));
    assertTrue(((String) streams.get("sasl.jaas.config")).contains("password=\"p=w\""));
    assertEquals("b:9093", streams.get("bootstrap.servers"), "the flag wins over the file");
    assertEquals(3, streams.get("replication.factor"));
    assertEquals(50, streams.get("commit.interval.ms"));
    assertEquals("exactly_once_v2", streams.get("processing.guarantee"), "the processor's own settings win");
  }

  @Test
  void rejectsABadReplicationFactor() {
    Map<String, String> none = Collections.emptyMap();
    assertThrows(IllegalArgumentException.class, () -> ProcessorConfig.parse(new String[] {"--threshold", "1", "--replication-factor", "0"}, none));
    assertThrows(IllegalArgumentException.class, () -> ProcessorConfig.parse(new String[] {"--threshold", "1", "--replication-factor", "three"}, none));
  }

  @Test
  void rejectsABadCommitInterval() {
    Map<String, String> none = Collections.emptyMap();
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ProcessorConfig.parse(new String[] {"--threshold", "1", "--commit-interval-ms", "0"}, none))
        .getMessage().contains("--commit-interval-ms"));
    assertThrows(IllegalArgumentException.class, () -> ProcessorConfig.parse(new String[] {"--threshold", "1", "--commit-interval-ms", "20ms"}, none));
  }

  @Test
  void rejectsUnknownFlagsMissingValuesAndBadNumbers() {
    Map<String, String> none = Collections.emptyMap();
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ProcessorConfig.parse(new String[] {"--threshold", "1", "--bogus", "x"}, none))
        .getMessage().contains("--bogus"));
    assertThrows(IllegalArgumentException.class, () -> ProcessorConfig.parse(new String[] {"--threshold"}, none));
    assertThrows(IllegalArgumentException.class, () -> ProcessorConfig.parse(new String[] {"--threshold", "hot"}, none));
    assertThrows(IllegalArgumentException.class, () -> ProcessorConfig.parse(new String[0], none));
    assertThrows(IllegalArgumentException.class, () -> ProcessorConfig.parse(new String[] {"--threshold", "1", "--car-id-pattern", "(("}, none));
  }
}
