package dev.edgeml.udf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JUnit fixture: labelled windows written by the TypeScript generator
 * ({@code edge-ml generate --output labelled-windows.csv --seed 9090 --cars 3 --count 100
 * --anomaly-rate 0.25}), and the scenario's threshold.
 */
public final class LabelledWindows {
  /** One row: the car, its event id, {@code normal} or the fault kind, and SENSORINPUT as published. */
  public static final class Window {
    public final int carId;
    public final int eventId;
    public final String label;
    public final String sensorInput;

    Window(int carId, int eventId, String label, String sensorInput) {
      this.carId = carId;
      this.eventId = eventId;
      this.label = label;
      this.sensorInput = sensorInput;
    }

    public boolean anomalous() {
      return !label.equals("normal");
    }

    /** The seed's MQTT payload of this window. */
    public String payload() {
      return eventId + "," + sensorInput;
    }
  }

  private LabelledWindows() {}

  public static List<Window> load() {
    List<Window> windows = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(
        LabelledWindows.class.getResourceAsStream("/labelled-windows.csv"), StandardCharsets.UTF_8))) {
      reader.readLine();
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        String[] fields = line.split(",", 4);
        windows.add(new Window(Integer.parseInt(fields[0]), Integer.parseInt(fields[1]), fields[2], fields[3].replace(",", "# ")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return windows;
  }

  /** model.threshold of scenarios/connected-cars.yaml (tests run in udf-jar/). */
  public static double scenarioThreshold() {
    Path scenario = Paths.get("..", "scenarios", "connected-cars.yaml");
    try {
      String yaml = new String(Files.readAllBytes(scenario), StandardCharsets.UTF_8);
      Matcher matcher = Pattern.compile("(?m)^model:\\n(?:[ ]+#.*\\n)*[ ]+threshold: *([0-9.eE+-]+)").matcher(yaml);
      if (!matcher.find()) throw new IllegalStateException("no model.threshold in " + scenario);
      return Double.parseDouble(matcher.group(1));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
