package dev.edgeml.processor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;

/**
 * The processor's status for `edge-ml status`:
 * {@code {"state":"RUNNING","scored":N,"anomalies":N,"skipped":N,"updatedAt":"ISO"}}, written to a
 * temporary file and renamed so a reader never sees half a file.
 */
public final class StatusFile {
  private final Path path;

  public StatusFile(Path path) {
    this.path = path.toAbsolutePath();
  }

  public static String json(String state, ProcessingCounters counters, Instant at) {
    return "{\"state\":\"" + state + "\",\"scored\":" + counters.scored() + ",\"anomalies\":" + counters.anomalies()
        + ",\"skipped\":" + counters.skipped() + ",\"updatedAt\":\"" + at + "\"}";
  }

  public synchronized void write(String state, ProcessingCounters counters) throws IOException {
    Path dir = path.getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
    try {
      Files.write(temp, (json(state, counters, Instant.now()) + "\n").getBytes(StandardCharsets.UTF_8));
      Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
