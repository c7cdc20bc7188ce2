package dev.edgeml.udf;

/**
 * Parses SENSORINPUT, the seed tutorial's readings {@code v1# v2# ... # v210} (spaces after '#'
 * optional), into a caller's buffer without allocating. Plain decimals take a fast exact path, one
 * pass over each field (mantissa below 2^53 divided by an exact power of ten is correctly rounded,
 * so the result equals {@link Double#parseDouble}); anything else falls back to
 * {@code Double.parseDouble}.
 */
public final class SensorInputParser {
  private static final char SEPARATOR = '#';
  private static final double[] POWERS_OF_TEN = new double[23];
  private static final long MAX_EXACT_MANTISSA = 1L << 53;
  /** 10^15 - 1 < 2^53: a mantissa of this many digits is exact. */
  private static final int MAX_EXACT_DIGITS = 15;

  static {
    POWERS_OF_TEN[0] = 1;
    for (int i = 1; i < POWERS_OF_TEN.length; i++) POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
  }

  private SensorInputParser() {}

  /**
   * Fills {@code readings} (whose length is the expected count) and returns true, or returns false
   * when the text has another count of fields, an empty or non-numeric field, or a non-finite value.
   */
  public static boolean parse(String text, double[] readings) {
    if (text == null) return false;
    int length = text.length();
    int start = 0;
    for (int field = 0; field < readings.length; field++) {
      int end = parsePlainField(text, start, length, readings, field);
      if (end < 0) {
        end = text.indexOf(SEPARATOR, start);
        if (end < 0) end = length;
        double value = parseField(text, start, end);
        if (!Double.isFinite(value)) return false;
        readings[field] = value;
      }
      boolean last = field == readings.length - 1;
      if (last != (end == length)) return false;
      start = end + 1;
    }
    return true;
  }

  /**
   * The fast path, one pass over the field: when the text from {@code from} is a plain decimal of at
   * most 15 digits (below 2^53, so exact as a long) between optional spaces, then '#' or the end,
   * stores its value at {@code readings[field]} and returns where the field ends; else returns -1
   * and stores nothing.
   */
  private static int parsePlainField(String text, int from, int length, double[] readings, int field) {
    int i = from;
    while (i < length && text.charAt(i) == ' ') i++;
    boolean negative = i < length && text.charAt(i) == '-';
    if (negative) i++;
    long mantissa = 0;
    int integerStart = i;
    char c;
    while (i < length && (c = text.charAt(i)) >= '0' && c <= '9') {
      mantissa = mantissa * 10 + (c - '0');
      i++;
    }
    int digits = i - integerStart;
    int decimals = 0;
    if (i < length && text.charAt(i) == '.') {
      int fractionStart = ++i;
      while (i < length && (c = text.charAt(i)) >= '0' && c <= '9') {
        mantissa = mantissa * 10 + (c - '0');
        i++;
      }
      decimals = i - fractionStart;
      digits += decimals;
    }
    if (digits == 0 || digits > MAX_EXACT_DIGITS) return -1;
    while (i < length && text.charAt(i) == ' ') i++;
    if (i < length && text.charAt(i) != SEPARATOR) return -1;
    double value = mantissa / POWERS_OF_TEN[decimals];
    readings[field] = negative ? -value : value;
    return i;
  }

  /** The field's value, or NaN when it is not a number. */
  private static double parseField(String text, int from, int to) {
    while (from < to && text.charAt(from) == ' ') from++;
    while (to > from && text.charAt(to - 1) == ' ') to--;
    if (from == to) return Double.NaN;
    int i = from;
    boolean negative = text.charAt(i) == '-';
    if (negative || text.charAt(i) == '+') i++;
    long mantissa = 0;
    int digits = 0;
    int decimals = 0;
    boolean point = false;
    for (; i < to; i++) {
      char c = text.charAt(i);
      if (c >= '0' && c <= '9') {
        mantissa = mantissa * 10 + (c - '0');
        digits++;
        if (point) decimals++;
        if (mantissa >= MAX_EXACT_MANTISSA) return parseSlow(text, from, to);
      } else if (c == '.' && !point) {
        point = true;
      } else {
        return parseSlow(text, from, to);
      }
    }
    if (digits == 0) return Double.NaN;
    if (decimals >= POWERS_OF_TEN.length) return parseSlow(text, from, to);
    double value = mantissa / POWERS_OF_TEN[decimals];
    return negative ? -value : value;
  }

  /** Exponents and long mantissas; only number characters, so "NaN", "Infinity" or "1d" are not numbers. */
  private static double parseSlow(String text, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      boolean numeric = (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
      if (!numeric) return Double.NaN;
    }
    try {
      return Double.parseDouble(text.substring(from, to));
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
