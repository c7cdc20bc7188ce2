package dev.edgeml.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgeml.udf.AnomalyUdf;
import dev.edgeml.udf.LabelledWindows;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AnomalyTopologyTest {
  private static final List<LabelledWindows.Window> WINDOWS = LabelledWindows.load();
  private final Function<String, Double> udf = new AnomalyUdf()::anomaly;
  private final ProcessingCounters counters = new ProcessingCounters();
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> temperature;
  private TestOutputTopic<String, String> scores;
  private TestOutputTopic<String, String> anomalies;

  private void start(double threshold) {
    ProcessorConfig config = ProcessorConfig.parse(new String[] {"--threshold", Double.toString(threshold)}, Collections.emptyMap());
    Properties props = AnomalyProcessor.streamsProperties(config);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    driver = new TopologyTestDriver(AnomalyTopology.build(config, udf, counters), props);
    temperature = driver.createInputTopic("temperature", new StringSerializer(), new ByteArraySerializer());
    scores = driver.createOutputTopic("ANOMALYDETECTION", new StringDeserializer(), new StringDeserializer());
    anomalies = driver.createOutputTopic("ANOMALYDETECTIONWITHFILTER", new StringDeserializer(), new StringDeserializer());
  }

  @AfterEach
  void close() {
    if (driver != null) driver.close();
  }

  private void send(String mqttTopic, String payload) {
    temperature.pipeInput(mqttTopic, payload == null ? null : payload.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void writesEveryScoredWindowAsKsqlDbWould() {
    start(LabelledWindows.scenarioThreshold());
    LabelledWindows.Window window = WINDOWS.get(0);
    send("car/17/engine/temperature", window.payload());
    send("car/engine/temperature", WINDOWS.get(1).payload());

    List<KeyValue<String, String>> out = scores.readKeyValuesToList();
    assertEquals(2, out.size());
    assertEquals("car/17/engine/temperature", out.get(0).key);
    assertEquals("{\"CARID\":\"17\",\"EVENTID\":" + window.eventId + ",\"ANOMALY_VAL\":" + udf.apply(window.sensorInput) + "}", out.get(0).value);
    // The seed's own topic does not match the car id pattern: CARID is the whole topic.
    assertEquals("{\"CARID\":\"car/engine/temperature\",\"EVENTID\":" + WINDOWS.get(1).eventId + ",\"ANOMALY_VAL\":"
        + udf.apply(WINDOWS.get(1).sensorInput) + "}", out.get(1).value);
    assertEquals(2, counters.scored());
  }

  @Test
  void skipsAndCountsRecordsKsqlDbWouldNotScore() {
    start(LabelledWindows.scenarioThreshold());
    String readings = WINDOWS.get(0).sensorInput;
    List<String> malformed = Arrays.asList(
        null,
        "",
        readings,
        "x1," + readings,
        "1.5," + readings,
        "7," + readings + ",extra",
        "7,\"" + readings,
        "7,",
        "7,1# 2# 3",
        "7," + readings.replaceFirst("^[^#]+", "hot"));
    for (String value : malformed) send("car/1/engine/temperature", value);
    send("car/1/engine/temperature", "8,\"" + readings + "\"");

    assertEquals(1, scores.readValuesToList().size(), "only the quoted, well-formed record is scored");
    assertEquals(malformed.size(), counters.skipped());
    assertEquals(1, counters.scored());
  }

  @Test
  void anomaliesTopicHoldsExactlyTheWindowsAboveTheThreshold() {
    List<Double> all = new ArrayList<>();
    for (LabelledWindows.Window w : WINDOWS) all.add(udf.apply(w.sensorInput));
    double threshold = all.stream().sorted().skip(all.size() / 2).findFirst().orElseThrow();
    start(threshold);
    for (LabelledWindows.Window w : WINDOWS) send("car/" + w.carId + "/engine/temperature", w.payload());

    List<String> expected = new ArrayList<>();
    for (int i = 0; i < WINDOWS.size(); i++) {
      LabelledWindows.Window w = WINDOWS.get(i);
      if (all.get(i) > threshold) expected.add(ScoreJson.format(Integer.toString(w.carId), w.eventId, all.get(i)));
    }
    assertEquals(WINDOWS.size(), scores.getQueueSize());
    assertEquals(expected, anomalies.readValuesToList());
    assertEquals(expected.size(), counters.anomalies());
    assertTrue(expected.size() > 0 && expected.size() < WINDOWS.size());
  }
}
