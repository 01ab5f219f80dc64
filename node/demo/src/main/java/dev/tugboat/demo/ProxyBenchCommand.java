package dev.tugboat.demo;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.typesafe.config.ConfigFactory;
import dev.tugboat.http.EventStreamSettings;
import dev.tugboat.http.HostedServices;
import dev.tugboat.http.HttpServer;
import dev.tugboat.http.HttpSettings;
import dev.tugboat.http.Readiness;
import dev.tugboat.http.auth.Access;
import dev.tugboat.http.auth.AuthSettings;
import dev.tugboat.http.proxy.ProxiedService;
import dev.tugboat.http.proxy.ServiceEndpoints;
import dev.tugboat.http.proxy.ServiceUrls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Flow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tugboat bench-proxy}: what the proxy to long-lived services costs. A backend (HTTP echo
 * and WebSocket echo) runs in this process; a node's routes, with the proxy and one service whose
 * single replica is that backend, are served by a real {@link HttpServer}. Then, in interleaved
 * rounds, the same small GET is sent at a fixed rate (open loop: latency from when each request was
 * due) once straight to the backend and once through the proxy; the overhead is the proxied
 * percentile minus the direct one of the same round. Last, W WebSockets through the proxy each
 * echo a message every interval. Last line: rate, rounds, direct and proxied p50/p99 (µs, the
 * last round), overhead p50/p99 (µs, the range over rounds), errors, websockets, ws_messages,
 * ws_p50/p99 (µs), ws_errors. After each round a line says what the process went through during
 * each run ({@link ProcessMeter}: collections, CPU, stalls) and on how many connections the
 * backend was reached, so a tail can be told from the machine's hiccups. How fast a service scales
 * from min to max replicas is {@code bench-scale}'s.
 */
@Command(name = "bench-proxy", mixinStandardHelpOptions = true,
    description = "Benchmark the proxy to long-lived services: overhead over a direct call, and WebSockets.")
final class ProxyBenchCommand implements Callable<Integer> {

  @Option(names = "--rate", description = "Requests a second (default: ${DEFAULT-VALUE}).")
  int rate = 1000;

  @Option(names = "--seconds", description = "Measured seconds per run (default: ${DEFAULT-VALUE}).")
  int seconds = 15;

  @Option(names = "--rounds", description = "Rounds of one direct and one proxied run (default: ${DEFAULT-VALUE}).")
  int rounds = 3;

  @Option(names = "--connections", description = "Requests the load's client keeps in flight at most, so at most "
      + "that many connections; a request due while all are busy waits, its wait counted (default: ${DEFAULT-VALUE}).")
  int connections = 32;

  @Option(names = "--warmup-seconds", description = "Unmeasured load, direct and proxied, first (default: ${DEFAULT-VALUE}).")
  int warmupSeconds = 10;

  @Option(names = "--websockets", description = "Concurrent WebSockets through the proxy (default: ${DEFAULT-VALUE}).")
  int websockets = 100;

  @Option(names = "--ws-interval-ms", description = "Each WebSocket sends a message this often (default: ${DEFAULT-VALUE}).")
  int wsIntervalMillis = 100;

  @Option(names = "--ws-seconds", description = "How long the WebSockets echo (default: ${DEFAULT-VALUE}).")
  int wsSeconds = 15;

  @Override
  public Integer call() throws Exception {
    if (rate < 1 || seconds < 1 || rounds < 1 || connections < 1 || warmupSeconds < 0 || websockets < 0
        || wsIntervalMillis < 1 || wsSeconds < 1) {
      System.err.println("bench-proxy: --rate, --seconds, --rounds, --connections, --ws-interval-ms and --ws-seconds "
          + "must be positive");
      return 2;
    }
    // The load's client opens a connection whenever all of its own are busy (up to --connections);
    // idle ones are closed soon, so one run's connections do not crowd the backend during the next.
    System.setProperty("jdk.httpclient.keepalive.timeout", "5");
    System.out.println("bench-proxy: " + MachineProbe.measure().describe("before"));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench-proxy",
        ConfigFactory.parseString("pekko.loglevel = WARNING\npekko.http.server.max-connections = 8192")
            .withFallback(ConfigFactory.load()));
    try {
      EchoBackend echo = new EchoBackend();
      ServerBinding backend = Http.get(system).newServerAt("127.0.0.1", 0).bind(echo.route())
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      int backendPort = backend.localAddress().getPort();
      AtomicLong reports = new AtomicLong();
      ServiceEndpoints endpoints = new OneService(new ProxiedService("bench", "bench",
          Map.of(backendPort, new ProxiedService.PublishedPort(backendPort, true, "echo", "/")),
          List.of(new ProxiedService.Replica("bench-0", "127.0.0.1"))), reports);
      byte[] cookieKey = new byte[32];
      new SecureRandom().nextBytes(cookieKey);
      Access access = Access.of(new AuthSettings(Optional.empty(), true, Duration.ofHours(1), Duration.ofSeconds(2)),
          cookieKey, Clock.systemUTC());
      ProxyBenchCluster cluster = new ProxyBenchCluster();
      Readiness ready = () -> CompletableFuture.completedFuture(List.of(Readiness.Check.passed("bench")));
      ServerBinding node = HttpServer.start(system, new HttpSettings("127.0.0.1", 0, Duration.ofSeconds(5),
              Duration.ofSeconds(1)), access, cluster, cluster, cluster, cluster, ready, () -> "",
              cluster, new EventStreamSettings(Duration.ofSeconds(10)), new HostedServices(List::of, endpoints,
              new ServiceUrls(URI.create("http://127.0.0.1"), Optional.empty())))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      URI direct = URI.create("http://127.0.0.1:" + backendPort + "/echo");
      URI proxied = URI.create("http://127.0.0.1:" + node.localAddress().getPort() + "/bench/echo");
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5)).build();

      if (warmupSeconds > 0) {
        System.out.printf("bench-proxy: warm-up, %d s direct and %d s proxied at %d requests/s%n", warmupSeconds,
            warmupSeconds, rate);
        run(client, direct, warmupSeconds, echo);
        run(client, proxied, warmupSeconds, echo);
      }
      List<Long> overheadP50 = new ArrayList<>();
      List<Long> overheadP99 = new ArrayList<>();
      Run lastDirect = null;
      Run lastProxied = null;
      int errors = 0;
      for (int round = 1; round <= rounds; round++) {
        Run d = run(client, direct, seconds, echo);
        Run p = run(client, proxied, seconds, echo);
        System.out.printf(Locale.ROOT, "bench-proxy: round %d: direct %s; proxied %s%n", round, d.describe(),
            p.describe());
        System.out.printf(Locale.ROOT, "bench-proxy: round %d meanwhile: direct %s; proxied %s%n", round,
            d.conditions(), p.conditions());
        overheadP50.add(p.percentile(50) - d.percentile(50));
        overheadP99.add(p.percentile(99) - d.percentile(99));
        errors += d.errors() + p.errors();
        lastDirect = d;
        lastProxied = p;
      }
      WsResult ws = websockets == 0 ? new WsResult(new long[0], 0)
          : webSockets(client, URI.create("ws://127.0.0.1:" + node.localAddress().getPort() + "/bench/ws"));
      System.out.println("bench-proxy: load reports made: " + reports.get());
      System.out.println("bench-proxy: " + MachineProbe.measure().describe("after"));
      System.out.printf(Locale.ROOT, "rate=%d rounds=%d direct_p50_us=%d direct_p99_us=%d proxied_p50_us=%d "
              + "proxied_p99_us=%d overhead_p50_us=%s overhead_p99_us=%s errors=%d websockets=%d ws_messages=%d "
              + "ws_p50_us=%d ws_p99_us=%d ws_errors=%d%n",
          rate, rounds, lastDirect.percentile(50), lastDirect.percentile(99), lastProxied.percentile(50),
          lastProxied.percentile(99), range(overheadP50), range(overheadP99), errors, websockets,
          ws.sortedMicros().length, BenchCommand.percentile(ws.sortedMicros(), 50),
          BenchCommand.percentile(ws.sortedMicros(), 99), ws.errors());
      node.terminate(Duration.ofSeconds(1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      backend.terminate(Duration.ofSeconds(1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      return 0;
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static String range(List<Long> values) {
    long min = values.stream().mapToLong(Long::longValue).min().orElse(0);
    long max = values.stream().mapToLong(Long::longValue).max().orElse(0);
    return min == max ? Long.toString(min) : min + ".." + max;
  }

  /**
   * One run's latencies (µs, sorted) and failures; what the process went through meanwhile, and how
   * many connections the backend was reached on (the bench's client's direct, the proxy's pool's
   * proxied).
   */
  private record Run(long[] sortedMicros, int errors, ProcessMeter.Figures process, int backendConnections,
      int backendConnectionsOpened) {
    long percentile(int p) {
      return BenchCommand.percentile(sortedMicros, p);
    }

    String describe() {
      return String.format(Locale.ROOT, "%d requests, p50=%d p99=%d max=%d µs, %d errors", sortedMicros.length,
          percentile(50), percentile(99), percentile(100), errors);
    }

    String conditions() {
      return process.describe() + ", backend reached on " + backendConnections + " connections ("
          + backendConnectionsOpened + " opened in the run)";
    }
  }

  /** {@code rate × seconds} GETs of {@code uri} at {@code rate} a second, each timed from when it was due. */
  private Run run(HttpClient client, URI uri, int runSeconds, EchoBackend backend) throws InterruptedException {
    int count = rate * runSeconds;
    long period = 1_000_000_000L / rate;
    long[] micros = new long[count];
    AtomicInteger errors = new AtomicInteger();
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build();
    List<CompletableFuture<?>> pending = new ArrayList<>(count);
    // A caller holds a few keep-alive connections; without a bound, java.net.http opens one more
    // for every request due while all are busy, hundreds after a hiccup of the machine.
    Semaphore inFlight = new Semaphore(connections);
    backend.startRun();
    ProcessMeter.Window window = ProcessMeter.start();
    long start = System.nanoTime() + 10_000_000;
    for (int i = 0; i < count; i++) {
      long due = start + i * period;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      int index = i;
      inFlight.acquire();
      pending.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((r, e) -> {
        inFlight.release();
        micros[index] = (System.nanoTime() - due) / 1_000;
        if (e != null || r.statusCode() != 200) {
          errors.incrementAndGet();
        }
      }));
    }
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // Counted: a request that did not end is an error, at the longest latency.
    }
    ProcessMeter.Figures process = window.end();
    long[] done = new long[count];
    int n = 0;
    int unanswered = 0;
    for (int i = 0; i < count; i++) {
      if (pending.get(i).isDone()) {
        done[n++] = micros[i];
      } else {
        unanswered++;
      }
    }
    long[] sorted = Arrays.copyOf(done, n);
    Arrays.sort(sorted);
    return new Run(sorted, errors.get() + unanswered, process, backend.connections.size(), backend.opened());
  }

  /** Echo round trips (µs, sorted) over all sockets, and how many sockets or messages failed. */
  private record WsResult(long[] sortedMicros, int errors) {}

  private WsResult webSockets(HttpClient client, URI uri) throws Exception {
    ConcurrentLinkedQueue<Long> roundTrips = new ConcurrentLinkedQueue<>();
    AtomicInteger errors = new AtomicInteger();
    AtomicLong sent = new AtomicLong();
    List<WebSocket> sockets = new ArrayList<>();
    List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
    for (int i = 0; i < websockets; i++) {
      opening.add(client.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
          text.append(data);
          if (last) {
            long sentAt = Long.parseLong(text.toString());
            roundTrips.add((System.nanoTime() - sentAt) / 1_000);
            text.setLength(0);
          }
          socket.request(1);
          return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
          errors.incrementAndGet();
        }
      }));
    }
    for (CompletableFuture<WebSocket> f : opening) {
      try {
        sockets.add(f.get(10, TimeUnit.SECONDS));
      } catch (Exception e) {
        errors.incrementAndGet();
      }
    }
    System.out.printf("bench-proxy: %d WebSockets open through the proxy, each echoing every %d ms for %d s%n",
        sockets.size(), wsIntervalMillis, wsSeconds);
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    try {
      for (int i = 0; i < sockets.size(); i++) {
        WebSocket socket = sockets.get(i);
        // Spread the sockets over the interval, so messages arrive evenly rather than in bursts.
        long offset = (long) wsIntervalMillis * 1_000 * i / Math.max(1, sockets.size());
        ticker.scheduleAtFixedRate(() -> {
          sent.incrementAndGet();
          socket.sendText(Long.toString(System.nanoTime()), true).exceptionally(e -> {
            errors.incrementAndGet();
            return socket;
          });
        }, offset, wsIntervalMillis * 1_000L, TimeUnit.MICROSECONDS);
      }
      Thread.sleep(wsSeconds * 1_000L);
    } finally {
      ticker.shutdownNow();
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (roundTrips.size() < sent.get() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    for (WebSocket socket : sockets) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
    }
    long[] sorted = roundTrips.stream().mapToLong(Long::longValue).sorted().toArray();
    long lost = Math.max(0, sent.get() - sorted.length);
    return new WsResult(sorted, errors.get() + (int) lost);
  }

  /**
   * The backend: {@code /echo} answers a short text, {@code /ws} echoes each WebSocket message. It
   * notes the callers' addresses and ports, that is the connections it is reached on: those of the
   * run, and every one since the start (a port is seldom reused so soon).
   */
  private static final class EchoBackend extends AllDirectives {
    final Set<String> connections = ConcurrentHashMap.newKeySet();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private volatile int seenBefore;

    void startRun() {
      connections.clear();
      seenBefore = seen.size();
    }

    /** Connections first seen in this run. */
    int opened() {
      return seen.size() - seenBefore;
    }

    Route route() {
      return concat(
          path("echo", () -> extractRequest(request -> {
            request.getAttribute(AttributeKeys.remoteAddress)
                .map(a -> a.getAddress().map(Object::toString).orElse("?") + ":" + a.getPort())
                .ifPresent(c -> {
                  connections.add(c);
                  seen.add(c);
                });
            return complete("ok");
          })),
          path("ws", () -> handleWebSocketMessages(Flow.<Message>create())),
          pathPrefix(segment(), s -> complete("ok")));
    }
  }

  /** The bench's one service; load reports are only counted. */
  private record OneService(ProxiedService service, AtomicLong reports) implements ServiceEndpoints {
    @Override
    public Optional<ProxiedService> find(String name) {
      return service.name().equals(name) ? Optional.of(service) : Optional.empty();
    }

    @Override
    public void reportLoad(String name, Map<String, Integer> inFlightByReplica) {
      reports.incrementAndGet();
    }
  }
}
