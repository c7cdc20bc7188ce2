package dev.edgeml.processor;

import java.util.ArrayList;
import java.util.List;

/**
 * A Kafka `temperature` value read as ksqlDB's DELIMITED format reads it for the scenario's
 * {@code (EVENTID INTEGER, SENSORINPUT VARCHAR)}: a CSV record (',' separated, '"' quoting) of exactly
 * two fields, the first an INT. Anything else is malformed, as it is for ksqlDB.
 */
public final class DelimitedValue {
  public final int eventId;
  public final String sensorInput;

  private DelimitedValue(int eventId, String sensorInput) {
    this.eventId = eventId;
    this.sensorInput = sensorInput;
  }

  /** The parsed value, or null when it is malformed. */
  public static DelimitedValue parse(String text) {
    if (text == null) return null;
    List<String> fields = text.indexOf('"') < 0 ? splitPlain(text) : splitQuoted(text);
    if (fields == null || fields.size() != 2) return null;
    try {
      return new DelimitedValue(Integer.parseInt(fields.get(0)), fields.get(1));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The common case, no quotes: split on every comma. */
  private static List<String> splitPlain(String text) {
    List<String> fields = new ArrayList<>(2);
    int start = 0;
    for (int comma = text.indexOf(','); comma >= 0; comma = text.indexOf(',', start)) {
      fields.add(text.substring(start, comma));
      start = comma + 1;
    }
    fields.add(text.substring(start));
    return fields;
  }

  /** RFC 4180 quoting: a field may be quoted, "" inside quotes is a quote; null when unbalanced. */
  private static List<String> splitQuoted(String text) {
    List<String> fields = new ArrayList<>(2);
    StringBuilder field = new StringBuilder();
    boolean inQuotes = false;
    boolean closedQuote = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (inQuotes) {
        if (c != '"') {
          field.append(c);
        } else if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else {
          inQuotes = false;
          closedQuote = true;
        }
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
        closedQuote = false;
      } else if (closedQuote || (c == '"' && field.length() > 0)) {
        return null;
      } else if (c == '"') {
        inQuotes = true;
      } else {
        field.append(c);
      }
    }
    if (inQuotes) return null;
    fields.add(field.toString());
    return fields;
  }
}
