package dev.tugboat.http;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The JSON body of GET /health/ready: {@code UP} only when every check passed (and there is at
 * least one), {@code DOWN} otherwise; the checks are listed either way so an operator sees what
 * is checked.
 */
public record ReadinessBody(String status, List<CheckBody> checks) {

  /** One check as written: {@code reason} only when it failed. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CheckBody(String name, boolean ok, String reason) {}

  public static ReadinessBody of(List<Readiness.Check> checks) {
    boolean up = !checks.isEmpty() && checks.stream().allMatch(Readiness.Check::ok);
    return new ReadinessBody(up ? "UP" : "DOWN",
        checks.stream().map(c -> new CheckBody(c.name(), c.ok(), c.reason())).toList());
  }

  @JsonIgnore
  public boolean up() {
    return "UP".equals(status);
  }
}
