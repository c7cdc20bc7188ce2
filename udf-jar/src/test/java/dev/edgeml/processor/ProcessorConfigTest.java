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
