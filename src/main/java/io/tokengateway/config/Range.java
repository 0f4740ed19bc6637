package io.tokengateway.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The bounds of a numeric setting (a record component), checked as Jackson binds it ({@link Settings}). */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
@interface Range {
  double min() default 0;

  double max();
}
