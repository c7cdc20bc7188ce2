package dev.edgeml.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusFileTest {
  @Test
  void replacesTheFileWholeAndLeavesNoTemporaryFiles(@TempDir Path dir) throws Exception {
    Path path = dir.resolve("sub/processor.json");
    StatusFile status = new StatusFile(path);
    ProcessingCounters counters = new ProcessingCounters();
    status.write("REBALANCING", counters);
    counters.recordScored(true);
    counters.recordScored(false);
    counters.recordSkipped();
    status.write("RUNNING", counters);

    String json = new String(Files.readAllBytes(path), StandardCharsets.UTF_8);
    assertTrue(json.matches("\\{\"state\":\"RUNNING\",\"scored\":2,\"anomalies\":1,\"skipped\":1,\"updatedAt\":\"\\d{4}-\\d\\d-\\d\\dT[^\"]+Z\"}\\n"), json);
    try (Stream<Path> files = Files.list(path.getParent())) {
      assertEquals(1, files.count());
    }
  }
}
