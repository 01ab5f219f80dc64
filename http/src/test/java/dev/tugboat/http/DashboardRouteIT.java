package dev.tugboat.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dashboard's files over real HTTP through the whole sealed route: each with its content type
 * and caching headers, served without a token (they hold no data), revalidated by ETag; anything
 * not on the list, folders and paths that try to climb out, a JSON 404.
 */
class DashboardRouteIT {

  private static ActorTestKit testKit;
  private static ServerBinding binding;
  private static HttpClient client;
  private static String base;

  @BeforeAll
  static void bind() throws Exception {
    testKit = ActorTestKit.create("DashboardRouteIT", ConfigFactory.parseString("pekko.loglevel = WARNING"));
    FakeDirectory directory = new FakeDirectory(testKit, Map.of(), Map.of());
    TugboatRoutes routes = new TugboatRoutes(testKit.system(),
        new HttpSettings("127.0.0.1", 0, Duration.ofSeconds(1), Duration.ofSeconds(1)),
        TestAccess.create(false), directory, directory, new FakeSimulationList(List.of()), new FakeServiceRecords(),
        () -> java.util.concurrent.CompletableFuture.completedFuture(List.of()), () -> "");
    binding = TestServer.bind(testKit, routes);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void unbind() throws Exception {
    if (binding != null) {
      binding.terminate(Duration.ofSeconds(1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    testKit.shutdownTestKit();
  }

  @Test
  void rootIsThePageWithoutAToken() throws Exception {
    HttpResponse<String> response = get("/");

    assertEquals(200, response.statusCode());
    assertEquals("text/html; charset=UTF-8", response.headers().firstValue("Content-Type").orElseThrow());
    assertTrue(response.body().contains("<script type=\"module\" src=\"/dashboard/app.js\"></script>"));
    assertEquals("no-cache", response.headers().firstValue("Cache-Control").orElseThrow());
    assertEquals("nosniff", response.headers().firstValue("X-Content-Type-Options").orElseThrow());
    assertTrue(response.headers().firstValue("Content-Security-Policy").orElseThrow().contains("script-src 'self'"));
  }

  @Test
  void everyListedFileIsServedWithItsContentType() throws Exception {
    for (var file : DashboardRoute.FILES.entrySet()) {
      HttpResponse<String> response = get("/dashboard/" + file.getKey());
      assertEquals(200, response.statusCode(), file.getKey());
      assertEquals(file.getValue().toString(), response.headers().firstValue("Content-Type").orElseThrow(),
          file.getKey());
    }
    assertEquals("text/javascript; charset=UTF-8",
        get("/dashboard/app.js").headers().firstValue("Content-Type").orElseThrow());
    assertEquals("text/css; charset=UTF-8",
        get("/dashboard/style.css").headers().firstValue("Content-Type").orElseThrow());
  }

  @Test
  void anUnchangedFileIsRevalidatedWith304() throws Exception {
    HttpResponse<String> first = get("/dashboard/app.js");
    String etag = first.headers().firstValue("ETag").orElseThrow();

    HttpResponse<String> again = client.send(HttpRequest.newBuilder(URI.create(base + "/dashboard/app.js"))
        .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofString());

    assertEquals(304, again.statusCode());
    assertEquals("", again.body());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/dashboard/", "/dashboard", "/dashboard/nothing.js", "/dashboard/../reference.conf",
      "/dashboard/%2e%2e/reference.conf", "/dashboard/..%2Freference.conf", "/dashboard/%2E%2E%2F%2E%2E%2Fpom.xml",
      "/dashboard/app.js/x", "/index.html", "/dev/tugboat/http/dashboard/app.js", "/reference.conf"})
  void anythingElseIsAJson404(String path) throws Exception {
    HttpResponse<String> response = get(path);

    assertEquals(404, response.statusCode(), path);
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow(), path);
  }

  @Test
  void onlyGetIsServed() throws Exception {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + "/"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

    assertEquals(405, response.statusCode());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
