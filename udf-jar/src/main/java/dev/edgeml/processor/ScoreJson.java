package dev.edgeml.processor;

/**
 * The JSON value ksqlDB writes for the scenario's derived streams, fields in its order:
 * {@code {"CARID":"17","EVENTID":3,"ANOMALY_VAL":0.0123}}.
 */
public final class ScoreJson {
  private ScoreJson() {}

  public static String format(String carId, int eventId, double anomalyVal) {
    StringBuilder json = new StringBuilder(64).append("{\"CARID\":");
    appendString(json, carId);
    return json.append(",\"EVENTID\":").append(eventId).append(",\"ANOMALY_VAL\":").append(anomalyVal).append('}').toString();
  }

  private static void appendString(StringBuilder json, String text) {
    if (text == null) {
      json.append("null");
      return;
    }
    json.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"': json.append("\\\""); break;
        case '\\': json.append("\\\\"); break;
        case '\n': json.append("\\n"); break;
        case '\r': json.append("\\r"); break;
        case '\t': json.append("\\t"); break;
        default:
          if (c < 0x20) json.append(String.format("\\u%04x", (int) c));
          else json.append(c);
      }
    }
    json.append('"');
  }
}
