package dev.tugboat.protocol.hosted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.protocol.EnvVar;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class HostedSpecCheckTest {

  private static final HostedSpec VALID = new HostedSpec("notebook", "registry.example/jupyter:4",
      List.of(new EnvVar("MODE", "lab")), List.of("--no-browser"), new Resources("500m", "256Mi", "2", "1Gi"),
      List.of(new PublishedPort(8888, Access.PRIVATE, "lab", "/lab?x=1"), new PublishedPort(9000, Access.PUBLIC, "", "/")),
      new Replicas(1, 3), Duration.ofMinutes(15), "alice");

  private static HostedSpec with(UnaryOperator<Object[]> change) {
    Object[] f = {VALID.name(), VALID.image(), VALID.env(), VALID.command(), VALID.resources(), VALID.publishedPorts(),
        VALID.replicas(), VALID.idleTimeout(), VALID.owner()};
    f = change.apply(f);
    @SuppressWarnings("unchecked")
    HostedSpec s = new HostedSpec((String) f[0], (String) f[1], (List<EnvVar>) f[2], (List<String>) f[3],
        (Resources) f[4], (List<PublishedPort>) f[5], (Replicas) f[6], (Duration) f[7], (String) f[8]);
    return s;
  }

  private static UnaryOperator<Object[]> set(int i, Object v) {
    return f -> {
      f[i] = v;
      return f;
    };
  }

  @Test
  void aValidSpecHasNoProblem() {
    assertEquals(List.of(), HostedSpecCheck.problems(VALID, 10));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Notebook", "1st", "a_b", "ends-", "a--b", "api", "health", "metrics", "session",
      "dashboard", "a234567890123456789012345678901234567890x"})
  void aNameThatCannotBeOneIsRefused(String name) {
    assertTrue(HostedSpecCheck.nameProblem(name).isPresent(), name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "echo", "my-notebook-2", "a234567890123456789012345678901234567890"})
  void aDnsLabelNameIsFine(String name) {
    assertEquals(java.util.Optional.empty(), HostedSpecCheck.nameProblem(name));
  }

  static Stream<Arguments> broken() {
    return Stream.of(
        Arguments.of("no image", set(1, ""), "image"),
        Arguments.of("bad image", set(1, "UPPER/Case"), "image"),
        Arguments.of("env twice", set(2, List.of(new EnvVar("A", "1"), new EnvVar("A", "2"))), "twice"),
        Arguments.of("bad env name", set(2, List.of(new EnvVar("", "1"))), "environment variable"),
        Arguments.of("cpu as memory", set(4, new Resources("1Gi", "", "", "")), "cpuRequest"),
        Arguments.of("memory in millis", set(4, new Resources("", "5m", "", "")), "memoryRequest"),
        Arguments.of("request over limit", set(4, new Resources("2", "", "500m", "")), "above its cpuLimit"),
        Arguments.of("memory request over limit", set(4, new Resources("", "2Gi", "", "1Gi")), "above its memoryLimit"),
        Arguments.of("port 0", set(5, List.of(new PublishedPort(0, Access.PUBLIC, "", "/"))), "outside 1..65535"),
        Arguments.of("port twice", set(5, List.of(new PublishedPort(80, Access.PUBLIC, "", "/"),
            new PublishedPort(80, Access.PRIVATE, "", "/"))), "twice"),
        Arguments.of("no access", set(5, List.of(new PublishedPort(80, null, "", "/"))), "no access"),
        Arguments.of("relative initial path", set(5, List.of(new PublishedPort(80, Access.PUBLIC, "", "lab"))),
            "initialPath"),
        Arguments.of("min 0", set(6, new Replicas(0, 1)), "replicas.min"),
        Arguments.of("max below min", set(6, new Replicas(3, 2)), "below replicas.min"),
        Arguments.of("max over the cap", set(6, new Replicas(1, 11)), "cap of 10"),
        Arguments.of("no replicas", set(6, null), "no replicas"),
        Arguments.of("zero idle timeout", set(7, Duration.ZERO), "idleTimeout"),
        Arguments.of("no owner", set(8, " "), "owner"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("broken")
  void eachBrokenRuleIsNamed(String what, UnaryOperator<Object[]> change, String expected) {
    List<String> problems = HostedSpecCheck.problems(with(change), 10);
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains(expected), problems.get(0));
  }

  @Test
  void theProblemsOfOneSpecAreAllNamed() {
    HostedSpec bad = with(f -> {
      f[0] = "API";
      f[6] = new Replicas(0, 20);
      return f;
    });
    assertEquals(3, HostedSpecCheck.problems(bad, 10).size(), HostedSpecCheck.problems(bad, 10).toString());
  }
}
