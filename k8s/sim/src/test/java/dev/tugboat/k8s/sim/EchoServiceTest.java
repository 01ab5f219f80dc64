package dev.tugboat.k8s.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EchoServiceTest {
  private static final String HOST = "127.77.250.9";
  private static ActorSystem<Void> system;
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeAll
  static void start() {
    system = EchoService.newSystem();
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return s.getLocalPort();
    }
  }

  private static HttpResponse<String> get(String url, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void echoesRequestsOnThePodsOwnAddressAndStopsListeningWhenStopped() throws Exception {
    int port = freePort();
    CompletableFuture<Integer> exited = new CompletableFuture<>();
    EchoService echo = EchoService.start(system, "pod-a", HOST, List.of(port), exited::complete)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    String base = "http://" + HOST + ":" + port;

    HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/a/b?x=1"))
        .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        .POST(HttpRequest.BodyPublishers.ofString("hello")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    for (String part : List.of("\"pod\":\"pod-a\"", "\"method\":\"POST\"", "\"path\":\"/a/b\"", "\"query\":\"x=1\"",
        "\"traceparent\":\"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\"", "\"body\":\"hello\"")) {
      assertTrue(r.body().contains(part), r.body() + " lacks " + part);
    }
    assertEquals(500, get(base + "/fail").statusCode());
    long t0 = System.nanoTime();
    assertEquals(200, get(base + "/slow?ms=300").statusCode());
    assertTrue(System.nanoTime() - t0 >= 300_000_000L, "the slow endpoint answered early");

    CompletableFuture<String> received = new CompletableFuture<>();
    WebSocket ws = CLIENT.newWebSocketBuilder().buildAsync(URI.create("ws://" + HOST + ":" + port + "/ws"),
        new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            received.complete(data.toString());
            return null;
          }
        }).get(5, TimeUnit.SECONDS);
    ws.sendText("ping over ws", true).get(5, TimeUnit.SECONDS);
    assertEquals("ping over ws", received.get(5, TimeUnit.SECONDS));
    ws.abort();

    assertEquals(200, get(base + "/exit?code=3").statusCode());
    assertEquals(3, exited.get(5, TimeUnit.SECONDS));

    echo.stop();
    HttpClient fresh = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    assertThrows(java.io.IOException.class, () -> fresh.send(HttpRequest.newBuilder(URI.create(base + "/after"))
        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()));
  }
}
