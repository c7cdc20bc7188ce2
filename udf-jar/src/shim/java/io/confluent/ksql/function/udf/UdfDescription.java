package io.confluent.ksql.function.udf;

import io.confluent.ksql.function.FunctionCategory;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Compile-only stand-in for ksqlDB's annotation of a UDF class (documented attributes); never packaged. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface UdfDescription {
  String name();

  String description();

  String category() default FunctionCategory.OTHER;

  String author() default "";

  String version() default "";
}
