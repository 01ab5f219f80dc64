package dev.tugboat.http;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The JSON body of the health endpoints: {@code UP} or {@code DOWN}, with an error when down. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HealthBody(String status, String error) {

  static final HealthBody UP = new HealthBody("UP", null);
}
