package dev.edgeml.udf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SensorInputParserTest {
  @ParameterizedTest
  @ValueSource(strings = {"0", "2.10", "-3.5", "+7", "7.", ".25", "5.123456789012345", "1e2", "-2.5E-3", "12345678901234567890.5", "0.1000000000000000000000001",
      "-0.00", "99.99", "123456789012.345", "1234567890123.456", "9007199254740993", "0.000000000000000000000000000001"})
  void readsEveryNumberAsDoubleParseDoubleDoes(String text) {
    double[] readings = new double[3];
    assertTrue(SensorInputParser.parse(text + "# " + text + "#" + text, readings));
    double expected = Double.parseDouble(text);
    assertArrayEquals(new double[] {expected, expected, expected}, readings);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1# 2", "1# 2# 3# 4", "1# # 3", "1# 2# ", "1# 2# 0x10", "1# 2# 1d", "1# 2# NaN", "1# 2# -Infinity", "1# 2# .", "1# 2# 1e400", "1, 2, 3",
      "1# 2# 3 4", "1# 2# --3", "1# 2# 3-", "1# 2# -", "1# 2.5.5# 3", "1# 2#3#"})
  void rejectsAnythingButThreeFiniteNumbers(String text) {
    assertFalse(SensorInputParser.parse(text, new double[3]));
  }

  @Test
  void toleratesSpacesAroundFields() {
    double[] readings = new double[3];
    assertTrue(SensorInputParser.parse(" 1.5 #2.5#   3.5 ", readings));
    assertEquals(2.5, readings[1]);
  }
}
