package dev.tugboat.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.tugboat.http.auth.Access;
import dev.tugboat.http.auth.AuthSettings;
import dev.tugboat.http.auth.Principal;
import dev.tugboat.http.auth.Role;
import dev.tugboat.http.auth.SessionCookies;
import dev.tugboat.http.auth.TokenHash;
import dev.tugboat.http.proxy.ProxiedService;
import dev.tugboat.http.proxy.ServiceUrls;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Who may open a service's ports through the proxy, every combination against a real backend: a
 * public and a private port (of a service owned by alice, a viewer) × no credentials, an unknown
 * token, a viewer who is not the owner, the owner, an operator, the owner's cookie for this
 * service, for another service and for the API (under either cookie name), and a first visit
 * with ?token=. What reaches the backend never carries Tugboat's credentials.
 */
class ProxyAccessIT {
  private static final String OWNER = TokenHash.newToken();
  private static final String VIEWER = TokenHash.newToken();
  private static final String OPERATOR = TokenHash.newToken();

  private static ActorTestKit testKit;
  private static ServerBinding binding;
  private static Backend backend;
  private static Access access;
  private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .followRedirects(HttpClient.Redirect.NEVER).build();

  /** What a request carries. */
  enum Credentials {
    NONE, UNKNOWN_TOKEN, VIEWER_TOKEN, OWNER_TOKEN, OPERATOR_TOKEN, OWNER_COOKIE, OTHER_SERVICE_COOKIE, API_COOKIE,
    API_SCOPE_AS_SERVICE_COOKIE, OWNER_QUERY_TOKEN, VIEWER_QUERY_TOKEN, UNKNOWN_QUERY_TOKEN,
    /** The application's own Authorization header beside the owner's service cookie. */
    APP_AUTHORIZATION_AND_OWNER_COOKIE
  }

  @BeforeAll
  static void start() throws Exception {
    testKit = ActorTestKit.create("ProxyAccessIT", ConfigFactory.parseString("pekko.loglevel = WARNING")
        .withFallback(ConfigFactory.load()));
    backend = Backend.start(testKit.system(), "r1", "127.0.0.1", 0);
    int port = backend.port();
    Path tokens = Files.createTempFile("tokens", ".txt");
    tokens.toFile().deleteOnExit();
    Files.writeString(tokens, TokenHash.of(OWNER) + " viewer alice\n" + TokenHash.of(VIEWER) + " viewer watcher\n"
        + TokenHash.of(OPERATOR) + " operator ops\n");
    access = Access.of(new AuthSettings(Optional.of(tokens), true, Duration.ofHours(1), Duration.ofSeconds(1)),
        TestAccess.COOKIE_KEY, Clock.systemUTC());
    FakeServiceEndpoints endpoints = new FakeServiceEndpoints();
    ProxiedService.Replica replica = new ProxiedService.Replica("r1", "127.0.0.1");
    endpoints.put(new ProxiedService("pub", "alice",
        Map.of(port, new ProxiedService.PublishedPort(port, true, "web", "/")), List.of(replica)));
    endpoints.put(new ProxiedService("priv", "alice",
        Map.of(port, new ProxiedService.PublishedPort(port, false, "web", "/")), List.of(replica)));
    endpoints.put(new ProxiedService("other", "alice",
        Map.of(port, new ProxiedService.PublishedPort(port, false, "web", "/")), List.of(replica)));
    Readiness ready = () -> CompletableFuture.completedFuture(List.of(Readiness.Check.passed("test")));
    FakeDirectory directory = new FakeDirectory(testKit, Map.of(), Map.of());
    TugboatRoutes routes = new TugboatRoutes(testKit.system(),
        new HttpSettings("127.0.0.1", 0, Duration.ofSeconds(2), Duration.ofSeconds(1)), access,
        directory, directory, new FakeSimulationList(List.of()), new FakeServiceRecords(), ready, () -> "up 1\n",
        new QuietLifecycleEvents(), new EventStreamSettings(Duration.ofSeconds(10)), new HostedServices(List::of, endpoints,
        new ServiceUrls(URI.create("http://127.0.0.1"), Optional.empty())));
    binding = TestServer.bind(testKit, routes);
  }

  @AfterAll
  static void stop() throws Exception {
    if (backend != null) {
      backend.close();
    }
    TestServer.stop(testKit, binding);
  }

  static Stream<Arguments> combinations() {
    List<Arguments> cases = new ArrayList<>();
    for (Credentials c : Credentials.values()) {
      // A public port is open to anyone; Tugboat's credentials are dropped on the way.
      cases.add(Arguments.of("pub", c, 200));
    }
    cases.add(Arguments.of("priv", Credentials.NONE, 401));
    cases.add(Arguments.of("priv", Credentials.UNKNOWN_TOKEN, 401));
    cases.add(Arguments.of("priv", Credentials.VIEWER_TOKEN, 403));
    cases.add(Arguments.of("priv", Credentials.OWNER_TOKEN, 200));
    cases.add(Arguments.of("priv", Credentials.OPERATOR_TOKEN, 200));
    cases.add(Arguments.of("priv", Credentials.OWNER_COOKIE, 200));
    cases.add(Arguments.of("priv", Credentials.OTHER_SERVICE_COOKIE, 401));
    cases.add(Arguments.of("priv", Credentials.API_COOKIE, 401));
    cases.add(Arguments.of("priv", Credentials.API_SCOPE_AS_SERVICE_COOKIE, 401));
    cases.add(Arguments.of("priv", Credentials.OWNER_QUERY_TOKEN, 303));
    cases.add(Arguments.of("priv", Credentials.VIEWER_QUERY_TOKEN, 403));
    cases.add(Arguments.of("priv", Credentials.UNKNOWN_QUERY_TOKEN, 401));
    cases.add(Arguments.of("priv", Credentials.APP_AUTHORIZATION_AND_OWNER_COOKIE, 200));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} with {1} -> {2}")
  @MethodSource("combinations")
  void access(String service, Credentials credentials, int expected) throws Exception {
    HttpResponse<String> response = send(service, credentials);
    assertEquals(expected, response.statusCode(), response.body());
    if (expected == 200) {
      JsonNode echo = Json.objectMapper().readTree(response.body());
      JsonNode headers = echo.path("headers");
      assertEquals("r1", echo.path("replica").asText());
      assertEquals("a=1", echo.path("query").asText(), "?token= is never forwarded");
      String authorization = headers.path("authorization").asText("");
      String cookie = headers.path("cookie").asText("");
      for (String secret : List.of(OWNER, VIEWER, OPERATOR)) {
        assertFalse(authorization.contains(secret) || cookie.contains(secret), "a Tugboat token was forwarded");
      }
      assertFalse(cookie.contains("tugboat_"), "a Tugboat cookie was forwarded: " + cookie);
      assertTrue(cookie.contains("app=1"), "the service's own cookie is kept: " + cookie);
      if (credentials == Credentials.APP_AUTHORIZATION_AND_OWNER_COOKIE) {
        assertEquals("Basic eDp5", authorization, "the application's own Authorization is kept");
      }
    } else if (expected != 303) {
      JsonNode body = Json.objectMapper().readTree(response.body());
      assertEquals(service, body.path("id").asText());
      assertTrue(body.path("error").asText().contains(service), response.body());
      if (expected == 401) {
        assertTrue(response.headers().firstValue("WWW-Authenticate").isPresent());
      }
    }
  }

  @Test
  void aFirstVisitWithATokenGetsACookieForThatServiceAndARedirectWithoutTheToken() throws Exception {
    Logger audit = (Logger) LoggerFactory.getLogger("dev.tugboat.audit");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    audit.addAppender(lines);
    try {
      HttpResponse<String> first = client.send(HttpRequest.newBuilder(uri("/priv/page?x=1&token=" + OWNER + "&y=2"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(303, first.statusCode(), first.body());
      assertEquals("/priv/page?x=1&y=2", first.headers().firstValue("Location").orElseThrow());
      HttpCookie cookie = HttpCookie.parse(first.headers().firstValue("Set-Cookie").orElseThrow()).get(0);
      assertEquals("tugboat_service", cookie.getName());
      assertEquals("/priv", cookie.getPath());
      assertTrue(cookie.isHttpOnly());
      assertFalse(cookie.getValue().contains(OWNER));

      HttpResponse<String> next = client.send(HttpRequest.newBuilder(uri("/priv/page?x=1&y=2"))
          .header("Cookie", "tugboat_service=" + cookie.getValue()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, next.statusCode(), next.body());
      assertFalse(next.body().contains(cookie.getValue()), "the service cookie is not forwarded");

      HttpResponse<String> elsewhere = client.send(HttpRequest.newBuilder(uri("/other/page"))
          .header("Cookie", "tugboat_service=" + cookie.getValue()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(401, elsewhere.statusCode(), "the cookie opens only the service it was made for");

      assertTrue(lines.list.stream().anyMatch(e -> e.getFormattedMessage()
          .equals("audit who=alice (viewer) action=\"open service priv port " + backend.port()
              + " with ?token=\" status=303")), lines.list.toString());
      assertTrue(lines.list.stream().noneMatch(e -> e.getFormattedMessage().contains(OWNER)));
    } finally {
      audit.detachAppender(lines);
    }
  }

  private static HttpResponse<String> send(String service, Credentials credentials) throws Exception {
    String query = "?a=1";
    String cookie = "app=1";
    HttpRequest.Builder request = HttpRequest.newBuilder();
    Principal alice = new Principal("alice", Role.VIEWER, TokenHash.of(OWNER));
    switch (credentials) {
      case NONE -> { }
      case UNKNOWN_TOKEN -> request.header("Authorization", "Bearer " + TokenHash.newToken());
      case VIEWER_TOKEN -> request.header("Authorization", "Bearer " + VIEWER);
      case OWNER_TOKEN -> request.header("Authorization", "Bearer " + OWNER);
      case OPERATOR_TOKEN -> request.header("Authorization", "Bearer " + OPERATOR);
      case OWNER_COOKIE -> cookie += "; tugboat_service=" + mint(alice, SessionCookies.serviceScope(service));
      case OTHER_SERVICE_COOKIE -> cookie += "; tugboat_service=" + mint(alice, SessionCookies.serviceScope("other"));
      case API_COOKIE -> cookie += "; tugboat_session=" + mint(alice, SessionCookies.API_SCOPE);
      case API_SCOPE_AS_SERVICE_COOKIE -> cookie += "; tugboat_service=" + mint(alice, SessionCookies.API_SCOPE);
      case OWNER_QUERY_TOKEN -> query += "&token=" + OWNER;
      case VIEWER_QUERY_TOKEN -> query += "&token=" + VIEWER;
      case UNKNOWN_QUERY_TOKEN -> query += "&token=" + TokenHash.newToken();
      case APP_AUTHORIZATION_AND_OWNER_COOKIE -> {
        request.header("Authorization", "Basic eDp5");
        cookie += "; tugboat_service=" + mint(alice, SessionCookies.serviceScope(service));
      }
      default -> throw new IllegalArgumentException(credentials.toString());
    }
    request.uri(uri("/" + service + "/page" + query)).header("Cookie", cookie);
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String mint(Principal principal, String scope) {
    return access.authenticator().cookies().mint(principal, scope, Duration.ofMinutes(5));
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + path);
  }
}
