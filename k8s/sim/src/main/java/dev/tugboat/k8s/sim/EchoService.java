package dev.tugboat.k8s.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntConsumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * The container of a simulated service pod ({@code tugboat/echo-service}): a small real HTTP and
 * WebSocket server on the pod's own loopback address and each of its container ports, so that
 * code which reaches a pod by IP and port works against the simulator unchanged. Endpoints:
 * {@code /ws} echoes WebSocket messages; {@code /slow?ms=N} answers the echo after N ms;
 * {@code /fail} answers 500; {@code /redirect?to=X} answers 302 with Location X;
 * {@code /exit?code=N} answers, then (100 ms later) the container exits with N (a
 * replica failing on request); any other path answers 200 with a JSON echo of the request
 * (method, path, query, headers including traceparent, body) and the pod's name.
 */
final class EchoService {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration MAX_SLOW = Duration.ofMinutes(2);
  private static final long BODY_TIMEOUT_MS = 10_000;
  private static final Duration EXIT_DELAY = Duration.ofMillis(100);

  /**
   * The actor system the echo servers of one simulated kubelet share (Pekko HTTP needs one): a
   * local one, apart from any node's, made on first use and terminated with the kubelet.
   */
  static ActorSystem<Void> newSystem() {
    Config config = ConfigFactory.parseString("""
        pekko.actor.provider = local
        pekko.loglevel = WARNING
        pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
        """).withFallback(ConfigFactory.defaultReference());
    return ActorSystem.create(Behaviors.empty(), "tugboat-sim-services", config);
  }

  private final ActorSystem<Void> system;
  private final String podName;
  private final IntConsumer exit;
  private final List<ServerBinding> bindings = new ArrayList<>();

  private EchoService(ActorSystem<Void> system, String podName, IntConsumer exit) {
    this.system = system;
    this.podName = podName;
    this.exit = exit;
  }

  /**
   * Binds {@code host} on every port of {@code ports}; completes when all are bound. {@code exit}
   * is called (once per /exit request) with the exit code asked for.
   */
  static CompletionStage<EchoService> start(ActorSystem<Void> system, String podName, String host, List<Integer> ports,
      IntConsumer exit) {
    EchoService service = new EchoService(system, podName, exit);
    CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
    for (int port : ports) {
      CompletableFuture<ServerBinding> bound = Http.get(system).newServerAt(host, port)
          .bind(service::handle).toCompletableFuture();
      all = all.thenCombine(bound, (v, b) -> {
        synchronized (service.bindings) {
          service.bindings.add(b);
        }
        return null;
      });
    }
    return all.thenApply(v -> service);
  }

  /** Stops listening and closes the open connections. */
  void stop() {
    synchronized (bindings) {
      bindings.forEach(b -> b.terminate(Duration.ofSeconds(1)));
      bindings.clear();
    }
  }

  private CompletionStage<HttpResponse> handle(HttpRequest request) {
    String path = request.getUri().path();
    Optional<WebSocketUpgrade> upgrade = request.getAttribute(AttributeKeys.webSocketUpgrade);
    if (path.equals("/ws")) {
      request.discardEntityBytes(system);
      return CompletableFuture.completedFuture(upgrade.map(u -> u.handleMessagesWith(echo()))
          .orElseGet(() -> HttpResponse.create().withStatus(StatusCodes.BAD_REQUEST)
              .withEntity("/ws takes WebSocket requests only")));
    }
    if (path.equals("/fail")) {
      request.discardEntityBytes(system);
      return CompletableFuture.completedFuture(HttpResponse.create().withStatus(StatusCodes.INTERNAL_SERVER_ERROR)
          .withEntity("failing on request (" + podName + ")"));
    }
    if (path.equals("/redirect")) {
      request.discardEntityBytes(system);
      String to = request.getUri().query().get("to").orElse("/");
      return CompletableFuture.completedFuture(HttpResponse.create().withStatus(StatusCodes.FOUND)
          .addHeader(Location.create(to)));
    }
    if (path.equals("/exit")) {
      request.discardEntityBytes(system);
      int code = request.getUri().query().get("code").map(EchoService::parseInt).orElse(1);
      // After the answer has gone out: the exit stops this server and its connections.
      system.scheduler().scheduleOnce(EXIT_DELAY, () -> exit.accept(code), system.executionContext());
      return CompletableFuture.completedFuture(HttpResponse.create().withEntity("exiting with " + code));
    }
    CompletionStage<HttpResponse> echo = request.entity().toStrict(BODY_TIMEOUT_MS, system)
        .thenApply(strict -> echoOf(request, strict.getData().decodeString(StandardCharsets.UTF_8)));
    if (path.equals("/slow")) {
      long ms = Math.min(MAX_SLOW.toMillis(), Math.max(0,
          request.getUri().query().get("ms").map(EchoService::parseInt).orElse(1000)));
      return Patterns.after(Duration.ofMillis(ms), system.classicSystem(), () -> echo);
    }
    return echo;
  }

  private HttpResponse echoOf(HttpRequest request, String body) {
    Map<String, Object> echo = new LinkedHashMap<>();
    echo.put("pod", podName);
    echo.put("method", request.method().value());
    echo.put("path", request.getUri().path());
    echo.put("query", request.getUri().rawQueryString().orElse(""));
    Map<String, String> headers = new LinkedHashMap<>();
    for (HttpHeader h : request.getHeaders()) {
      headers.merge(h.lowercaseName(), h.value(), (a, b) -> a + ", " + b);
    }
    echo.put("headers", headers);
    echo.put("body", body);
    try {
      return HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON,
          JSON.writeValueAsBytes(echo)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return HttpResponse.create().withStatus(StatusCodes.INTERNAL_SERVER_ERROR).withEntity(e.toString());
    }
  }

  /** Each message back as it came, text as text, binary as binary, streamed or not. */
  private static Flow<Message, Message, ?> echo() {
    return Flow.<Message>create().map(m -> m.isText()
        ? TextMessage.create(m.asTextMessage().getStreamedText())
        : BinaryMessage.create(m.asBinaryMessage().getStreamedData()));
  }

  private static int parseInt(String s) {
    try {
      return Integer.parseInt(s.strip());
    } catch (NumberFormatException e) {
      return 1;
    }
  }
}
