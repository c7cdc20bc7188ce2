package dev.edgeml.processor;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The scenario's KSQL as a Kafka Streams topology: every `temperature` record the UDF can score goes
 * to the scores topic, those above the threshold also to the anomalies topic; key = the MQTT topic,
 * value = {@link ScoreJson}. Records that are not DELIMITED (EVENTID INT, SENSORINPUT) or that the
 * UDF returns null for are skipped and counted, as {@code WHERE ANOMALY(SENSORINPUT) IS NOT NULL} does.
 */
public final class AnomalyTopology {
  private AnomalyTopology() {}

  public static Topology build(ProcessorConfig config, Function<String, Double> anomaly, ProcessingCounters counters) {
    CarIdExtractor carIds = new CarIdExtractor(config.carIdPattern);
    StreamsBuilder builder = new StreamsBuilder();
    KStream<String, ScoredWindow> scored = builder
        .stream(config.sourceTopic, Consumed.with(Serdes.String(), Serdes.ByteArray()))
        .flatMapValues((mqttTopic, value) -> score(mqttTopic, value, carIds, anomaly, config.threshold, counters));
    Produced<String, String> json = Produced.with(Serdes.String(), Serdes.String());
    scored.mapValues(ScoredWindow::json).to(config.scoresTopic, json);
    scored.filter((mqttTopic, window) -> window.anomalyVal > config.threshold)
        .mapValues(ScoredWindow::json)
        .to(config.anomaliesTopic, json);
    return builder.build();
  }

  private static List<ScoredWindow> score(String mqttTopic, byte[] value, CarIdExtractor carIds,
      Function<String, Double> anomaly, double threshold, ProcessingCounters counters) {
    DelimitedValue record = value == null ? null : DelimitedValue.parse(new String(value, StandardCharsets.UTF_8));
    Double anomalyVal = record == null ? null : anomaly.apply(record.sensorInput);
    if (anomalyVal == null) {
      counters.recordSkipped();
      return Collections.emptyList();
    }
    counters.recordScored(anomalyVal > threshold);
    return Collections.singletonList(new ScoredWindow(carIds.carIdOf(mqttTopic), record.eventId, anomalyVal));
  }

  /** One scored window on its way to the output topics. */
  static final class ScoredWindow {
    final String carId;
    final int eventId;
    final double anomalyVal;

    ScoredWindow(String carId, int eventId, double anomalyVal) {
      this.carId = carId;
      this.eventId = eventId;
      this.anomalyVal = anomalyVal;
    }

    String json() {
      return ScoreJson.format(carId, eventId, anomalyVal);
    }
  }
}
