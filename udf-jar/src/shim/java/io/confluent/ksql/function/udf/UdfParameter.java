package io.confluent.ksql.function.udf;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Compile-only stand-in for ksqlDB's annotation of a UDF parameter (documented attributes); never packaged. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface UdfParameter {
  String value() default "";

  String description() default "";

  String schema() default "";
}
