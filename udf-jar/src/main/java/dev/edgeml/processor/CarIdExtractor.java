package dev.edgeml.processor;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CARID from the MQTT topic (the record key), as the scenario's KSQL derives it:
 * {@code COALESCE(REGEXP_EXTRACT(pattern, MQTT_TOPIC, 1), MQTT_TOPIC)}. REGEXP_EXTRACT finds the
 * pattern anywhere in the topic (Matcher.find), so a pattern without anchors behaves the same.
 */
public final class CarIdExtractor {
  private final Pattern pattern;

  public CarIdExtractor(String regex) {
    this.pattern = Pattern.compile(regex);
  }

  public String carIdOf(String mqttTopic) {
    if (mqttTopic == null) return null;
    Matcher matcher = pattern.matcher(mqttTopic);
    String group = matcher.find() && matcher.groupCount() >= 1 ? matcher.group(1) : null;
    return group != null ? group : mqttTopic;
  }
}
