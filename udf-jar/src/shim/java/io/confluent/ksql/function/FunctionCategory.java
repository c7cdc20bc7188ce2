package io.confluent.ksql.function;

/**
 * Compile-only stand-in for ksqlDB's category constants (written from the documented API, see
 * shared/reference/confluent-facts.md section 4); never packaged, the server has the real class.
 */
public final class FunctionCategory {
  public static final String OTHER = "OTHER";
  public static final String MATHEMATICAL = "MATHEMATICAL";

  private FunctionCategory() {}
}
