package dev.edgeml.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DelimitedValueTest {
  @Test
  void readsTheSeedPayload() {
    DelimitedValue value = DelimitedValue.parse("99999,2.10# 2.13# 2.19");
    assertEquals(99999, value.eventId);
    assertEquals("2.10# 2.13# 2.19", value.sensorInput);
  }

  @Test
  void unquotesQuotedFields() {
    DelimitedValue value = DelimitedValue.parse("\"3\",\"a \"\"b\"\", c\"");
    assertEquals(3, value.eventId);
    assertEquals("a \"b\", c", value.sensorInput);
  }

  @ParameterizedTest
  @ValueSource(strings = {"3", "3,a,b", "three,a", " 3,a", "3,\"a", "3,\"a\"b", "3,a\"b\"", "2147483648,a", ","})
  void rejectsWhatKsqlDbRejects(String text) {
    assertNull(DelimitedValue.parse(text));
  }
}
