package dev.tugboat.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * A real HTTP and WebSocket server standing in for one replica of a long-lived service: any path
 * echoes the request as JSON (which replica, method, path, query, headers, body);
 * {@code /slow?ms=N} answers after N ms; {@code /hold} answers when the test releases it;
 * {@code /stream} sends a first chunk at once and the rest when the test releases it;
 * {@code /ws} echoes WebSocket text messages; {@code /ws-hold} answers its WebSocket handshake when
 * the test releases it (then echoes); {@code /set-cookie} answers with cookies set.
 */
final class Backend extends AllDirectives implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  /** Bytes of /stream's first chunk: more than any buffer between here and the test's client. */
  static final int FIRST_CHUNK = 256 * 1024;

  final String id;
  final AtomicInteger requests = new AtomicInteger();
  private final ActorSystem<?> system;
  private final AtomicReference<CompletableFuture<Done>> gate = new AtomicReference<>(new CompletableFuture<>());
  private final ServerBinding binding;

  private Backend(ActorSystem<?> system, String id, String host, int port) throws Exception {
    this.system = system;
    this.id = id;
    this.binding = Http.get(system).newServerAt(host, port).bind(route()).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  /** A replica called {@code id} on {@code host} ({@code 127.0.0.x}) and {@code port} (0: a free one). */
  static Backend start(ActorSystem<?> system, String id, String host, int port) throws Exception {
    return new Backend(system, id, host, port);
  }

  int port() {
    return binding.localAddress().getPort();
  }

  /** Lets every request waiting on /hold or /stream finish; later ones wait for the next release. */
  void release() {
    gate.getAndSet(new CompletableFuture<>()).complete(Done.getInstance());
  }

  private Route route() {
    return extractRequest(request -> {
      requests.incrementAndGet();
      return concat(
          path("slow", () -> parameter("ms", ms -> completeWithFuture(
              Patterns.after(Duration.ofMillis(Long.parseLong(ms)), system.classicSystem().scheduler(),
                  system.executionContext(), () -> CompletableFuture.completedFuture(text("slow " + id)))))),
          path("hold", () -> completeWithFuture(gate.get().thenApply(d -> text("held " + id)))),
          path("stream", () -> complete(HttpResponse.create().withEntity(HttpEntities.createChunked(
              ContentTypes.APPLICATION_OCTET_STREAM,
              Source.single(ByteString.fromArray(new byte[FIRST_CHUNK]))
                  .concat(Source.completionStage(gate.get()).map(d -> ByteString.fromString("end"))))))),
          path("ws", () -> handleWebSocketMessages(Flow.<Message>create()
              .mapAsync(1, m -> m.asTextMessage().toStrict(3000, org.apache.pekko.stream.Materializer.matFromSystem(system))
                  .thenApply(t -> (Message) TextMessage.create(id + ":" + t.getStrictText()))))),
          path("ws-hold", () -> extractRequest(r -> completeWithFuture(gate.get().thenApply(d ->
              r.getAttribute(org.apache.pekko.http.javadsl.model.AttributeKeys.webSocketUpgrade).orElseThrow()
                  .handleMessagesWith(Flow.<Message>create()))))),
          path("set-cookie", () -> complete(HttpResponse.create()
              .addHeader(RawHeader.create("Set-Cookie", "app=1; Path=/"))
              .addHeader(RawHeader.create("Set-Cookie", "tugboat_session=evil; Path=/"))
              .addHeader(RawHeader.create("Set-Cookie", "tugboat_service=evil; Path=/"))
              .withEntity("cookies"))),
          pathPrefix(segment(), any -> echo(request)),
          pathSingleSlash(() -> echo(request)),
          pathEnd(() -> echo(request)));
    });
  }

  private Route echo(HttpRequest request) {
    CompletionStage<HttpResponse> body = request.entity().toStrict(3000, system).thenApply(strict -> {
      Map<String, Object> echo = new TreeMap<>();
      echo.put("replica", id);
      echo.put("method", request.method().value());
      echo.put("path", request.getUri().asScala().path().toString());
      echo.put("query", request.getUri().rawQueryString().orElse(""));
      Map<String, String> headers = new TreeMap<>();
      for (HttpHeader h : request.getHeaders()) {
        headers.merge(h.lowercaseName(), h.value(), (a, b) -> a + " | " + b);
      }
      echo.put("headers", headers);
      echo.put("body", strict.getData().utf8String());
      try {
        return HttpResponse.create().withStatus(StatusCodes.OK)
            .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, JSON.writeValueAsBytes(echo)));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    return completeWithFuture(body);
  }

  private static HttpResponse text(String s) {
    return HttpResponse.create().withEntity(s);
  }

  @Override
  public void close() throws Exception {
    release();
    binding.terminate(Duration.ofSeconds(1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
