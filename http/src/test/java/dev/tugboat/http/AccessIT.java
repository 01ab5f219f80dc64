package dev.tugboat.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.ConfigFactory;
import dev.tugboat.protocol.service.ServiceView;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

/**
 * Who may read and who may change, over real HTTP: every credential against a read and a change,
 * with anonymous reading on and off; signing in for a cookie; cross-site changes; audit lines.
 */
class AccessIT {
  private static final Readiness READY = () -> CompletableFuture.completedFuture(List.of(Readiness.Check.passed("test")));
  private static final ServiceView HELD = new ServiceView("so", "sim", "held", "so-sim-held", "img:1",
      ServiceView.Phase.HELD, null, null, "create gave up", List.of(), null, Instant.parse("2026-01-01T00:00:00Z"));
  private static final String READ = "/api/v1/simulations/sim/services/held";
  private static final String CHANGE = "/api/v1/simulations/sim/services/held/retry";

  private static ActorTestKit testKit;
  private static FakeDirectory directory;
  private static ServerBinding open;
  private static ServerBinding closed;
  private static final HttpClient client = HttpClient.newHttpClient();
  private static final ListAppender<ILoggingEvent> audit = new ListAppender<>();

  @BeforeAll
  static void bind() throws Exception {
    testKit = ActorTestKit.create("AccessIT", ConfigFactory.parseString("pekko.loglevel = WARNING"));
    directory = new FakeDirectory(testKit, Map.of(), Map.of("sim/held", HELD));
    open = bind(true);
    closed = bind(false);
    audit.start();
    ((Logger) LoggerFactory.getLogger("dev.tugboat.audit")).addAppender(audit);
  }

  private static ServerBinding bind(boolean anonymousRead) throws Exception {
    TugboatRoutes routes = new TugboatRoutes(testKit.system(),
        new HttpSettings("127.0.0.1", 0, Duration.ofSeconds(2), Duration.ofSeconds(1)),
        TestAccess.create(anonymousRead), directory, directory, new FakeSimulationList(List.of()), new FakeServiceRecords(), READY,
        () -> "");
    return Http.get(testKit.system()).newServerAt("127.0.0.1", 0).bind(routes.route())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void unbind() throws Exception {
    ((Logger) LoggerFactory.getLogger("dev.tugboat.audit")).detachAppender(audit);
    open.terminate(Duration.ofSeconds(1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    closed.terminate(Duration.ofSeconds(1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void reset() {
    directory.actions.clear();
    audit.list.clear();
  }

  private static String authorization(String who) {
    return switch (who) {
      case "operator" -> TestAccess.bearer(TestAccess.OPERATOR_TOKEN);
      case "viewer" -> TestAccess.bearer(TestAccess.VIEWER_TOKEN);
      case "unknown" -> TestAccess.bearer("tgb_not-a-known-token");
      case "basic" -> "Basic b3BzOnNlY3JldA==";
      default -> null;
    };
  }

  @ParameterizedTest(name = "{0} reads with anonymous reading {1}: {2}")
  @CsvSource({
      "nobody,   true,  200", "nobody,   false, 401",
      "viewer,   true,  200", "viewer,   false, 200",
      "operator, true,  200", "operator, false, 200",
      "unknown,  true,  401", "unknown,  false, 401",
      "basic,    true,  401", "basic,    false, 401"})
  void reads(String who, boolean anonymousRead, int status) throws Exception {
    HttpResponse<String> response = send(anonymousRead ? open : closed, "GET", READ, authorization(who), null, "");

    assertEquals(status, response.statusCode(), response.body());
    if (status == 401) {
      assertEquals("Bearer realm=\"tugboat\"", response.headers().firstValue("WWW-Authenticate").orElse(""));
      assertTrue(response.body().contains("\"error\""), response.body());
    }
    assertNoTokenIn(response.body());
  }

  @ParameterizedTest(name = "{0} changes: {1}")
  @CsvSource({"nobody, 401, anonymous", "unknown, 401, anonymous", "basic, 401, anonymous",
      "viewer, 403, watcher (viewer)", "operator, 202, ops (operator)"})
  void changesNeedAnOperatorAndAreAudited(String who, int status, String auditedAs) throws Exception {
    HttpResponse<String> response = send(open, "POST", CHANGE, authorization(who), null, "");

    assertEquals(status, response.statusCode(), response.body());
    assertEquals(status == 202 ? List.of("sim/held retry") : List.of(), List.copyOf(directory.actions));
    assertEquals(List.of("audit who=" + auditedAs + " action=\"POST " + CHANGE + "\" status=" + status),
        auditLines());
    assertNoTokenIn(response.body());
  }

  @Test
  void aBrowserSignsInForAnHttpOnlyCookieThatReadsAndSaysWhoItIs() throws Exception {
    HttpResponse<String> refused = send(closed, "POST", "/api/v1/session", null, null,
        "{\"token\": \"tgb_wrong\"}");
    assertEquals(401, refused.statusCode());
    assertFalse(refused.body().contains("tgb_wrong"));

    HttpResponse<String> signedIn = send(closed, "POST", "/api/v1/session", null, null,
        "{\"token\": \"" + TestAccess.VIEWER_TOKEN + "\"}");
    assertEquals(200, signedIn.statusCode(), signedIn.body());
    String setCookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
    assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/"),
        setCookie);
    assertNoTokenIn(setCookie);
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));

    assertEquals(200, send(closed, "GET", READ, null, cookie, "").statusCode());
    HttpResponse<String> whoAmI = send(closed, "GET", "/api/v1/session", null, cookie, "");
    assertTrue(whoAmI.body().contains("\"name\":\"watcher\"") && whoAmI.body().contains("\"role\":\"viewer\""),
        whoAmI.body());
    assertEquals(403, send(closed, "POST", CHANGE, null, cookie, "", "http://" + host(closed)).statusCode());

    HttpResponse<String> signedOut = send(closed, "DELETE", "/api/v1/session", null, cookie, "");
    assertEquals(204, signedOut.statusCode());
    assertTrue(signedOut.headers().firstValue("Set-Cookie").orElseThrow().contains("Max-Age=0"));
    assertEquals(401, send(closed, "GET", READ, null, "tugboat_session=forged.value", "").statusCode());
    assertTrue(auditLines().stream().noneMatch(l -> l.contains(TestAccess.VIEWER_TOKEN)));
  }

  @Test
  void anOperatorsCookieChangesOnlyFromThisServersOwnPages() throws Exception {
    HttpResponse<String> signedIn = send(open, "POST", "/api/v1/session",
        TestAccess.bearer(TestAccess.OPERATOR_TOKEN), null, "");
    String setCookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));

    assertEquals(403, send(open, "POST", CHANGE, null, cookie, "").statusCode(), "no Origin");
    assertEquals(403, send(open, "POST", CHANGE, null, cookie, "", "https://evil.example").statusCode());
    assertTrue(directory.actions.isEmpty());
    assertEquals(202, send(open, "POST", CHANGE, null, cookie, "", "http://" + host(open)).statusCode());
    assertEquals(List.of("sim/held retry"), List.copyOf(directory.actions));
  }

  private static String host(ServerBinding binding) {
    return "127.0.0.1:" + binding.localAddress().getPort();
  }

  private static List<String> auditLines() {
    return audit.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  private static void assertNoTokenIn(String text) {
    assertFalse(text.contains(TestAccess.OPERATOR_TOKEN) || text.contains(TestAccess.VIEWER_TOKEN), text);
  }

  private static HttpResponse<String> send(ServerBinding binding, String method, String path, String authorization,
      String cookie, String body) throws Exception {
    return send(binding, method, path, authorization, cookie, body, null);
  }

  private static HttpResponse<String> send(ServerBinding binding, String method, String path, String authorization,
      String cookie, String body, String origin) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host(binding) + path))
        .timeout(Duration.ofSeconds(10))
        .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    if (cookie != null) {
      request.header("Cookie", cookie);
    }
    if (origin != null) {
      request.header("Origin", origin);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
