package dev.tugboat.http;

/** The JSON body of GET /health/live: the process answers, so it is {@code UP}. */
public record HealthBody(String status) {

  static final HealthBody UP = new HealthBody("UP");
}
