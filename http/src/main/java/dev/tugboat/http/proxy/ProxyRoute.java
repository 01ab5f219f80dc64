package dev.tugboat.http.proxy;

import dev.tugboat.http.auth.Access;
import dev.tugboat.http.auth.Principal;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.WebSocketRequest;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgradeResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BufferOverflowException;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.AsPublisher;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.DurationConverters;

/**
 * The proxy to long-lived services' published ports (docs/http-api.md, "Services behind the
 * proxy"). {@link #hostForm()} serves {@code {name}-{port}.{domain}} when a base domain is set and
 * goes first, since such a host is never the API's; {@link #pathForm()} serves {@code /{name}/...}
 * and {@code /{name}--{port}/...} and goes last, after every route of the API, and never takes a
 * path whose first segment Tugboat owns ({@link ProxyAddress#RESERVED}). HTTP and WebSocket go to
 * the ready replica {@link ReplicaDispatch} picks, streamed both ways; answers of its own: 404 (no
 * such service or port), 401/403 (private port), 413 (body past the limit), 502 (replica refused
 * or broke the connection), 503 (no replica ready, Retry-After), 504 (no answer within the
 * response timeout), each a JSON error body naming the service ({@link ProxyErrors}). The {@link ReplicaTransport}
 * says how a replica is reached: over the pod network, or through the Kubernetes API server's pod
 * proxy, whose own failures (credentials refused, no such pod, pod unreachable) are answered as
 * the proxy's 502 or 503 too ({@link ApiServerAnswer}).
 */
public final class ProxyRoute extends AllDirectives implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyRoute.class);

  private final ActorSystem<?> system;
  private final Http http;
  private final Materializer materializer;
  private final LoggingAdapter clientLog;
  private final ProxySettings settings;
  private final ServiceEndpoints endpoints;
  private final Optional<String> baseDomain;
  private final ServiceAccess serviceAccess;
  private final TokenExchange tokens;
  private final ReplicaDispatch dispatch;
  private final LoadReporter reporter;
  private final ConnectionPoolSettings pool;
  private final ClientConnectionSettings webSocketClient;
  private final scala.concurrent.duration.Duration serverTimeout;
  private final ReplicaTransport transport;
  /** Built once: Pekko shares a client connection pool per (settings, context), so one context means one pool. */
  private final HttpsConnectionContext httpsContext;
  private final ConnectionContext webSocketContext;

  /** The proxy reaching replicas over the pod network. */
  public ProxyRoute(ActorSystem<?> system, ProxySettings settings, Access access, ServiceEndpoints endpoints,
      ServiceUrls urls) {
    this(system, settings, access, endpoints, urls, ReplicaTransport.podNetwork());
  }

  /** The proxy reaching replicas as {@code transport} says. */
  public ProxyRoute(ActorSystem<?> system, ProxySettings settings, Access access, ServiceEndpoints endpoints,
      ServiceUrls urls, ReplicaTransport transport) {
    this.system = system;
    this.transport = transport;
    this.http = Http.get(system);
    this.httpsContext = transport.tls().orElseGet(http::defaultClientHttpsContext);
    this.webSocketContext = transport.tls().<ConnectionContext>map(t -> t).orElseGet(ConnectionContext::noEncryption);
    this.materializer = Materializer.matFromSystem(system);
    this.clientLog = system.classicSystem().log();
    this.settings = settings;
    this.endpoints = endpoints;
    this.baseDomain = urls.baseDomain();
    this.serviceAccess = new ServiceAccess(access.authenticator());
    this.tokens = new TokenExchange(access.authenticator(), access.sessionTtl());
    this.dispatch = new ReplicaDispatch(settings.refusedPause(), System::nanoTime);
    this.reporter = new LoadReporter(system, dispatch, endpoints, settings.reportInterval());
    ClientConnectionSettings connection = ClientConnectionSettings.create(system.classicSystem())
        .withConnectingTimeout(DurationConverters.toScala(settings.connectTimeout()));
    this.pool = ConnectionPoolSettings.create(system.classicSystem())
        .withMaxConnections(settings.maxConnectionsPerReplica())
        .withMaxOpenRequests(settings.maxOpenRequests())
        // A refused connection is answered 502 at once and its replica leaves the rotation; a
        // retry in the pool would only delay that.
        .withMaxRetries(0)
        .withConnectionSettings(connection);
    this.webSocketClient = connection;
    // The server's own request timeout must not answer before the proxy's 504 does.
    this.serverTimeout = DurationConverters.toScala(settings.responseTimeout().plusSeconds(5));
  }

  /** Requests for a host {@code {name}-{port}.{base domain}}; rejects every other host (and all, without a base domain). */
  public Route hostForm() {
    if (baseDomain.isEmpty()) {
      return reject();
    }
    return extractRequest(request -> ProxyAddress.ofHost(request.getUri().host().address(), baseDomain.get(),
            rawPath(request))
        .map(address -> serve(request, address))
        .orElseGet(this::reject));
  }

  /** Requests for {@code /{name}/...} and {@code /{name}--{port}/...}; rejects paths that are not a service's. */
  public Route pathForm() {
    return extractRequest(request -> ProxyAddress.ofPath(rawPath(request))
        .map(address -> serve(request, address))
        .orElseGet(this::reject));
  }

  private Route serve(HttpRequest request, ProxyAddress address) {
    String name = address.name();
    Optional<ProxiedService> found = endpoints.find(name);
    if (found.isEmpty()) {
      LOG.debug("proxy {}: no such service", name);
      return complete(ProxyErrors.error(StatusCodes.NOT_FOUND, "no service called " + name, name, Optional.empty()));
    }
    ProxiedService service = found.get();
    Optional<Integer> port = address.port().isPresent() ? Optional.of(address.port().getAsInt()) : firstPort(service);
    ProxiedService.PublishedPort published = port.map(p -> service.ports().get(p)).orElse(null);
    if (published == null) {
      String what = port.map(p -> "service " + name + " publishes no port " + p)
          .orElse("service " + name + " publishes no port");
      return complete(ProxyErrors.error(StatusCodes.NOT_FOUND, what, name, Optional.empty()));
    }
    Optional<String> rawQuery = request.getUri().rawQueryString();
    if (address.rest().isEmpty()) {
      // A relative link in the service's pages needs the trailing slash to resolve under the prefix.
      return complete(HttpResponse.create().withStatus(StatusCodes.PERMANENT_REDIRECT)
          .addHeader(Location.create(address.prefix() + "/" + rawQuery.map(q -> "?" + q).orElse(""))));
    }
    Optional<String> token = TokenExchange.tokenParameter(rawQuery);
    boolean dropAuthorization = tokens.carriesTugboatToken(request);
    if (!published.isPublic()) {
      ServiceAccess.Verdict verdict = serviceAccess.decide(request, service, token);
      if (verdict instanceof ServiceAccess.Unauthorized u) {
        token.ifPresent(t -> TokenExchange.audit(Principal.ANONYMOUS_NAME, name, port.get(), 401));
        return complete(ProxyErrors.error(StatusCodes.UNAUTHORIZED, "service " + name + " port " + port.get() + ": " + u.reason(),
            name, Optional.empty()).addHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", "tugboat"))));
      }
      if (verdict instanceof ServiceAccess.Forbidden f) {
        token.ifPresent(t -> TokenExchange.audit(f.principal().toString(), name, port.get(), 403));
        return complete(ProxyErrors.error(StatusCodes.FORBIDDEN, "service " + name + " port " + port.get()
            + " is private: only its owner or an operator may open it; " + f.principal().name() + " is neither",
            name, Optional.empty()));
      }
      if (verdict instanceof ServiceAccess.Exchange e) {
        return complete(tokens.exchange(request, address, rawQuery, e.principal(), port.get()));
      }
    }
    if (request.entity().getContentLengthOption().isPresent()
        && request.entity().getContentLengthOption().getAsLong() > settings.maxRequestBody()) {
      LOG.info("proxy {}: request body of {} bytes refused, the limit is {}", name,
          request.entity().getContentLengthOption().getAsLong(), settings.maxRequestBody());
      return complete(tooLarge(name, Optional.empty()));
    }
    return withRequestTimeout(serverTimeout, () ->
        completeWithFuture(forward(request, address, service, port.get(), rawQuery, dropAuthorization)));
  }

  private CompletionStage<HttpResponse> forward(HttpRequest request, ProxyAddress address, ProxiedService service,
      int port, Optional<String> rawQuery, boolean dropAuthorization) {
    Optional<TraceParent> incoming = request.getHeader(TraceParent.HEADER)
        .flatMap(h -> TraceParent.parse(h.value()));
    TraceParent trace = incoming.map(TraceParent::child).orElseGet(TraceParent::start);
    Optional<String> traceState = incoming.flatMap(t -> request.getHeader("tracestate").map(HttpHeader::value));
    Optional<ReplicaDispatch.Lease> lease = dispatch.acquire(service);
    if (lease.isEmpty()) {
      String why = service.ready().isEmpty() ? "no replica of service " + service.name() + " is ready"
          : "no replica of service " + service.name() + " accepts connections now";
      // Every request to a service without a ready replica would log; its readiness is the entity's to report.
      LOG.debug("proxy {}: {}", service.name(), why);
      return CompletableFuture.completedFuture(ProxyErrors.error(StatusCodes.SERVICE_UNAVAILABLE, why, service.name(),
          Optional.of(trace)).addHeader(RetryAfter.create(Math.max(1, settings.retryAfter().toSeconds()))));
    }
    String target = address.rest() + TokenExchange.withoutToken(rawQuery);
    Optional<String> client = request.getAttribute(AttributeKeys.remoteAddress)
        .flatMap(RemoteAddress::getAddress).map(InetAddress::getHostAddress);
    String host = request.getUri().asScala().authority().toString();
    Optional<WebSocketUpgrade> upgrade = request.getAttribute(AttributeKeys.webSocketUpgrade);
    List<HttpHeader> headers = new ArrayList<>(ProxyHeaders.toReplica(request.getHeaders(),
        dropAuthorization || transport.replacesAuthorization(), client, request.getUri().getScheme(), host,
        address.prefix(), trace, traceState, upgrade.isPresent()));
    Exchange exchange = new Exchange(service.name(), port, lease.get(), trace, address.prefix(),
        System.nanoTime() + settings.responseTimeout().toNanos());
    HttpRequest out;
    WebSocketRequest wsRequest;
    try {
      String uri = transport.uri(lease.get().replica(), port, target, upgrade.isPresent());
      headers.addAll(transport.credentials());
      wsRequest = upgrade.isPresent() ? webSocketRequest(uri, headers, upgrade.get()) : null;
      out = upgrade.isPresent() ? null : HttpRequest.create(uri).withMethod(request.method()).addHeaders(headers)
          .withEntity((RequestEntity) request.entity().withSizeLimit(settings.maxRequestBody()));
    } catch (RuntimeException e) {
      // A missing credential, or a replica id or path that forms no URI the client takes.
      exchange.lease().release();
      LOG.warn("proxy {}: replica {}: {}", service.name(), exchange.replicaId(), e.getMessage());
      return CompletableFuture.completedFuture(ProxyErrors.error(StatusCodes.BAD_GATEWAY, "service " + service.name() + ": "
          + (e instanceof ReplicaTransport.MissingCredential ? e.getMessage() : "no request to replica "
          + exchange.replicaId() + " can be formed for this path"), service.name(), Optional.of(trace)));
    }
    if (upgrade.isPresent()) {
      return webSocket(upgrade.get(), exchange, wsRequest);
    }
    CompletableFuture<HttpResponse> answer = new CompletableFuture<>();
    Cancellable timer = timeout(answer, exchange);
    http.singleRequest(out, httpsContext, pool, clientLog)
        .whenComplete((response, failure) -> {
          timer.cancel();
          if (failure != null) {
            exchange.lease().release();
            answer.complete(failed(exchange, failure));
          } else {
            relayOrHopFailure(response, exchange).whenComplete((relayed, broken) ->
                completeOrDiscard(answer, relayed, broken, response, exchange));
          }
        });
    return answer;
  }

  /** Completes {@code answer} with {@code relayed}, or a 502 when reading the answer broke; a late answer is discarded. */
  private void completeOrDiscard(CompletableFuture<HttpResponse> answer, HttpResponse relayed, Throwable broken,
      HttpResponse response, Exchange exchange) {
    if (broken != null) {
      exchange.lease().release();
    }
    if (!answer.complete(broken != null ? failed(exchange, broken) : relayed)) {
      response.discardEntityBytes(materializer);
    }
  }

  /**
   * The replica's answer relayed, or, through the API server, the proxy's own 502 or 503 when the
   * answer is the API server's failure ({@link ApiServerAnswer}), not the replica's.
   */
  private CompletionStage<HttpResponse> relayOrHopFailure(HttpResponse response, Exchange exchange) {
    ResponseEntity entity = response.entity();
    if (!(transport instanceof ReplicaTransport.ApiServer) || !ApiServerAnswer.mayBeFailure(response.status().intValue(),
        entity.getContentType().mediaType().toString(), entity.getContentLengthOption().orElse(-1))) {
      return CompletableFuture.completedFuture(relay(response, exchange));
    }
    long left = Math.max(1, (exchange.deadlineNanos() - System.nanoTime()) / 1_000_000);
    return entity.toStrict(left, materializer).handle((strict, failure) -> {
      if (failure != null) {
        exchange.lease().release();
        return failed(exchange, failure);
      }
      HttpResponse whole = response.withEntity(strict);
      Optional<ApiServerAnswer.HopFailure> hop = ApiServerAnswer.failure(response.status().intValue(),
          strict.getData().toArray(), exchange.replicaId());
      if (hop.isEmpty()) {
        return relay(whole, exchange);
      }
      exchange.lease().release();
      if (hop.get().podFailed()) {
        dispatch.refused(exchange.service(), exchange.replicaId());
      }
      LOG.warn("proxy {}: replica {}: {} ({}){}", exchange.service(), exchange.replicaId(), hop.get().reason(),
          hop.get().detail().isEmpty() ? "no message" : hop.get().detail(),
          hop.get().podFailed() ? "; out of this node's rotation for " + settings.refusedPause() : "");
      HttpResponse own = ProxyErrors.error(StatusCodes.get(hop.get().status()), "service " + exchange.service() + ": replica "
          + exchange.replicaId() + ": " + hop.get().reason(), exchange.service(), Optional.of(exchange.trace()));
      return hop.get().status() == 503
          ? own.addHeader(RetryAfter.create(Math.max(1, settings.retryAfter().toSeconds()))) : own;
    });
  }

  /** The replica's answer, its body streamed through; the request counts as in flight until the body ends. */
  private HttpResponse relay(HttpResponse response, Exchange exchange) {
    List<HttpHeader> headers = new ArrayList<>();
    response.getHeaders().forEach(headers::add);
    HttpResponse out = response.withHeaders(ProxyHeaders.toCaller(transport.answerHeaders(headers,
        exchange.lease().replica(), exchange.port(), exchange.prefix()), exchange.trace()));
    ResponseEntity entity = response.entity();
    if (entity.isKnownEmpty() || entity instanceof HttpEntity.Strict) {
      exchange.lease().release();
      return out;
    }
    // Released at the last byte of a body of known length, so the count is right by the time the
    // caller has it; otherwise (and on failure or cancellation) when the stream ends.
    long length = entity.getContentLengthOption().orElse(-1);
    long[] seen = new long[1];
    Flow<ByteString, ByteString, ?> watched = Flow.<ByteString>create()
        .map(bytes -> {
          seen[0] += bytes.size();
          if (seen[0] == length) {
            exchange.lease().release();
          }
          return bytes;
        })
        .watchTermination((mat, done) -> {
          done.whenComplete((d, f) -> exchange.lease().release());
          return mat;
        });
    Source<ByteString, ?> body = entity.getDataBytes().via(watched);
    return out.withEntity(entity.getContentLengthOption().isPresent()
        ? HttpEntities.create(entity.getContentType(), entity.getContentLengthOption().getAsLong(), body)
        : HttpEntities.createChunked(entity.getContentType(), body));
  }

  private static WebSocketRequest webSocketRequest(String uri, List<HttpHeader> headers, WebSocketUpgrade upgrade) {
    WebSocketRequest wsRequest = WebSocketRequest.create(uri);
    for (HttpHeader h : headers) {
      wsRequest = wsRequest.addHeader(h);
    }
    List<String> protocols = new ArrayList<>();
    upgrade.getRequestedProtocols().forEach(protocols::add);
    return protocols.isEmpty() ? wsRequest : wsRequest.requestSubprotocol(String.join(",", protocols));
  }

  private CompletionStage<HttpResponse> webSocket(WebSocketUpgrade upgrade, Exchange exchange,
      WebSocketRequest wsRequest) {
    Flow<Message, Message, Pair<Publisher<Message>, Subscriber<Message>>> pipe = Flow.fromSinkAndSourceCoupledMat(
        Sink.<Message>asPublisher(AsPublisher.WITHOUT_FANOUT), Source.<Message>asSubscriber(), Keep.both());
    Pair<CompletionStage<WebSocketUpgradeResponse>, Pair<Publisher<Message>, Subscriber<Message>>> started =
        http.singleWebSocketRequest(wsRequest, pipe, webSocketContext, Optional.empty(),
            webSocketClient, clientLog, materializer);
    Publisher<Message> fromReplica = started.second().first();
    Subscriber<Message> toReplica = started.second().second();
    CompletableFuture<HttpResponse> answer = new CompletableFuture<>();
    Cancellable timer = timeout(answer, exchange);
    started.first().whenComplete((handshake, failure) -> {
      timer.cancel();
      if (failure != null || !handshake.isValid()) {
        close(fromReplica, toReplica);
        exchange.lease().release();
        if (failure != null) {
          answer.complete(failed(exchange, failure));
        } else if (handshake.response().status().intValue() == 101) {
          answer.complete(ProxyErrors.error(StatusCodes.BAD_GATEWAY, "service " + exchange.service() + ": replica "
              + exchange.replicaId() + " answered an invalid WebSocket handshake", exchange.service(),
              Optional.of(exchange.trace())));
        } else {
          relayOrHopFailure(handshake.response(), exchange).whenComplete((relayed, broken) ->
              completeOrDiscard(answer, relayed, broken, handshake.response(), exchange));
        }
        return;
      }
      // The caller's side runs only once the server has sent the 101 to a caller still connected: a
      // caller gone before (or a server that answered its own timeout) never runs it. Whichever
      // comes first takes the exchange: the caller's side (the lease is released when the
      // WebSocket ends) or the deadline (the replica's connection is closed and the lease released).
      AtomicBoolean taken = new AtomicBoolean();
      AtomicReference<Cancellable> deadline = new AtomicReference<>();
      Source<Message, ?> replicaSide = Source.fromPublisher(fromReplica).watchTermination((mat, done) -> {
        if (taken.compareAndSet(false, true)) {
          Optional.ofNullable(deadline.get()).ifPresent(Cancellable::cancel);
          done.whenComplete((d, f) -> exchange.lease().release());
        }
        return mat;
      });
      Sink<Message, ?> callerSide = Sink.fromSubscriber(toReplica);
      HttpResponse response = handshake.chosenSubprotocol()
          .map(p -> upgrade.handleMessagesWith(callerSide, replicaSide, p))
          .orElseGet(() -> upgrade.handleMessagesWith(callerSide, replicaSide))
          .addHeader(RawHeader.create(TraceParent.RESPONSE_HEADER, exchange.trace().header()));
      if (!answer.complete(response)) {
        taken.set(true);
        close(fromReplica, toReplica);
        exchange.lease().release();
        return;
      }
      deadline.set(system.scheduler().scheduleOnce(settings.responseTimeout(), () -> {
        if (taken.compareAndSet(false, true)) {
          LOG.info("proxy {}: the caller of a WebSocket to replica {} was gone before its handshake was answered",
              exchange.service(), exchange.replicaId());
          close(fromReplica, toReplica);
          exchange.lease().release();
        }
      }, system.executionContext()));
      if (taken.get()) {
        deadline.get().cancel();
      }
    });
    return answer;
  }

  private void close(Publisher<Message> fromReplica, Subscriber<Message> toReplica) {
    Source.<Message>empty().runWith(Sink.fromSubscriber(toReplica), materializer);
    Source.fromPublisher(fromReplica).runWith(Sink.cancelled(), materializer);
  }

  /** Answers 504 after the response timeout unless the replica answered first. */
  private Cancellable timeout(CompletableFuture<HttpResponse> answer, Exchange exchange) {
    return system.scheduler().scheduleOnce(settings.responseTimeout(), () -> {
      if (answer.complete(ProxyErrors.error(StatusCodes.GATEWAY_TIMEOUT, "service " + exchange.service() + ": replica "
          + exchange.replicaId() + " did not answer within " + settings.responseTimeout().toMillis() + " ms",
          exchange.service(), Optional.of(exchange.trace())))) {
        exchange.lease().release();
        LOG.warn("proxy {}: replica {} did not answer within {}", exchange.service(), exchange.replicaId(),
            settings.responseTimeout());
      }
    }, system.executionContext());
  }

  /** 502 for a refused or broken connection (a refusal also takes the replica out of rotation), 413 or 503 for the others. */
  private HttpResponse failed(Exchange exchange, Throwable failure) {
    Optional<TraceParent> trace = Optional.of(exchange.trace());
    if (ProxyErrors.causedBy(failure, EntityStreamSizeException.class)) {
      LOG.info("proxy {}: a streamed request body passed the limit of {} bytes", exchange.service(),
          settings.maxRequestBody());
      return tooLarge(exchange.service(), trace);
    }
    if (ProxyErrors.causedBy(failure, BufferOverflowException.class)) {
      // Through the API server every service shares one pool, so the queue is not the replica's.
      String queue = transport instanceof ReplicaTransport.ApiServer ? "the Kubernetes API server's pod proxy"
          : "replica " + exchange.replicaId();
      LOG.warn("proxy {}: replica {}: {} requests are already queued for {}", exchange.service(), exchange.replicaId(),
          settings.maxOpenRequests(), queue);
      return ProxyErrors.error(StatusCodes.SERVICE_UNAVAILABLE, "service " + exchange.service()
          + ": too many requests queued for " + queue, exchange.service(), trace)
          .addHeader(RetryAfter.create(Math.max(1, settings.retryAfter().toSeconds())));
    }
    if (ProxyErrors.refused(failure) && transport instanceof ReplicaTransport.ApiServer) {
      LOG.warn("proxy {}: replica {}: {} refused the connection ({})", exchange.service(), exchange.replicaId(),
          transport.describe(), failure.getMessage());
      return ProxyErrors.error(StatusCodes.BAD_GATEWAY, "service " + exchange.service() + ": the Kubernetes API server refused"
          + " the connection", exchange.service(), trace);
    }
    if (ProxyErrors.refused(failure)) {
      dispatch.refused(exchange.service(), exchange.replicaId());
      LOG.warn("proxy {}: replica {} refused the connection ({}); out of this node's rotation for {}",
          exchange.service(), exchange.replicaId(), failure.getMessage(), settings.refusedPause());
      return ProxyErrors.error(StatusCodes.BAD_GATEWAY, "service " + exchange.service() + ": replica " + exchange.replicaId()
          + " refused the connection", exchange.service(), trace);
    }
    LOG.warn("proxy {}: replica {} failed: {}", exchange.service(), exchange.replicaId(), failure.toString());
    return ProxyErrors.error(StatusCodes.BAD_GATEWAY, "service " + exchange.service() + ": replica " + exchange.replicaId()
        + " closed or reset the connection", exchange.service(), trace);
  }

  /** The first published port in the service's declared order, the one the path form without a port reaches. */
  public static Optional<Integer> firstPort(ProxiedService service) {
    return service.ports().keySet().stream().findFirst();
  }

  private static String rawPath(HttpRequest request) {
    return request.getUri().asScala().path().toString();
  }

  private HttpResponse tooLarge(String service, Optional<TraceParent> trace) {
    return ProxyErrors.error(StatusCodes.PAYLOAD_TOO_LARGE, "service " + service + ": the request body is larger than "
        + settings.maxRequestBody() + " bytes (tugboat.http.proxy.max-request-body)", service, trace);
  }

  @Override
  public void close() {
    reporter.close();
  }

  /**
   * One forwarded request: the service, port, replica lease and trace, the proxy's own prefix of
   * the service (empty for the host form) and when the response timeout ends (System.nanoTime).
   */
  private record Exchange(String service, int port, ReplicaDispatch.Lease lease, TraceParent trace, String prefix,
      long deadlineNanos) {
    String replicaId() {
      return lease.replica().id();
    }
  }
}
