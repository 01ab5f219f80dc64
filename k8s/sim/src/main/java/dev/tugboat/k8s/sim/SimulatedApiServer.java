package dev.tugboat.k8s.sim;

import dev.tugboat.k8s.sim.ApiServerCounters.Kind;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The simulated API server's request handling. Pods (create, get, update, patch, status, delete,
 * list and watch with label and field selectors, log) are served from the indexed {@link PodStore}
 * (fabric8's CRUD dispatcher scans every stored object per request, far too slow for thousands of
 * pods); anything else goes to the CRUD dispatcher. Added to that: fault injection (429 bursts with Retry-After, 500s,
 * latency, a pod quota, refused Secret writes), the pod log endpoint fed by the simulated kubelet, the pod proxy
 * ({@link PodProxy}: past the token check, like every request but the kubelet's), and counters.
 * Requests carrying the kubelet's user agent pass through untouched and uncounted.
 */
final class SimulatedApiServer extends Dispatcher {

  static final String KUBELET_USER_AGENT = "tugboat-simulated-kubelet";

  /** Pod paths: namespaced (group 1 the namespace, 2 the name, 3 the subresource, 4 the query) or cluster-wide. */
  private static final Pattern PODS = Pattern.compile(
      "^/api/v1/(?:namespaces/([^/?]+)/)?pods(?:/([^/?]+))?(?:/([^/?]+))?(?:\\?(.*))?$");

  /** A namespace's Secrets or one of them. */
  private static final Pattern SECRETS = Pattern.compile("^/api/v1/namespaces/[^/?]+/secrets(?:/[^/?]+)?(?:\\?.*)?$");

  private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
  private final Faults faults;
  private final ApiServerCounters counters;
  private final ModelLogs logs;
  private final PodStore store;
  private final PodProxy podProxy;
  /** "Bearer {token}" every request but the kubelet's must carry; null when the server takes any. */
  private final String requiredAuthorization;

  SimulatedApiServer(PodStore store, Faults faults, ApiServerCounters counters, ModelLogs logs, String bearerToken) {
    this.store = store;
    this.podProxy = new PodProxy(store);
    this.requiredAuthorization = bearerToken.isEmpty() ? null : "Bearer " + bearerToken;
    this.faults = faults;
    this.counters = counters;
    this.logs = logs;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getPath();
    Matcher m = PODS.matcher(path);
    Kind kind = kindOf(request.getMethod(), m);
    String agent = request.getHeader("User-Agent");
    if (agent != null && agent.startsWith(KUBELET_USER_AGENT)) {
      return route(kind, request, m, null);
    }
    if (requiredAuthorization != null && !requiredAuthorization.equals(request.getHeader("Authorization"))) {
      return status(new StatusBuilder().withStatus("Failure").withCode(401).withReason("Unauthorized")
          .withMessage("Unauthorized").build());
    }
    Matcher proxied = PodProxy.PATH.matcher(path);
    if (proxied.matches()) {
      counters.request(Kind.OTHER, request.getMethod());
      return podProxy.forward(request, proxied);
    }
    if (kind == Kind.CREATE && isDryRun(m)) {
      return dryRunCreate(parsePod(request), m.group(1));
    }
    counters.request(kind, request.getMethod());
    Pod body = null;
    if (kind == Kind.CREATE) {
      // Parsed once here, used for the counters and for the store.
      body = parsePod(request);
      counters.createAttempt(body == null || body.getMetadata() == null ? "" : String.valueOf(body.getMetadata().getName()));
    }
    String secretRefused = faults.secretWritesRefused();
    if (kind == Kind.OTHER && secretRefused != null && List.of("POST", "PUT", "PATCH").contains(request.getMethod())
        && SECRETS.matcher(path).matches()) {
      counters.fault(403);
      return status(new StatusBuilder().withStatus("Failure").withCode(403).withReason("Forbidden")
          .withMessage(secretRefused).build());
    }
    if (kind == Kind.WATCH || kind == Kind.LIST || kind == Kind.OTHER) {
      return route(kind, request, m, body);
    }
    Duration latency = faults.latency();
    counters.arrive(kind);
    try {
      MockResponse response = injectedFault(kind);
      if (response == null) {
        response = route(kind, request, m, body);
      }
      return delayed(response, latency);
    } finally {
      counters.answered(latency);
    }
  }

  private MockResponse injectedFault(Kind kind) {
    if (faults.take429()) {
      counters.fault(429);
      int seconds = faults.retryAfterSeconds();
      Status s = new StatusBuilder().withStatus("Failure").withCode(429).withReason("TooManyRequests")
          .withMessage("the server has received too many requests and has asked us to try again later")
          .withNewDetails().withRetryAfterSeconds(seconds).endDetails().build();
      return status(s).setHeader("Retry-After", String.valueOf(seconds));
    }
    if ((kind == Kind.CREATE || kind == Kind.DELETE) && faults.rollError()) {
      counters.fault(500);
      return status(new StatusBuilder().withStatus("Failure").withCode(500).withReason("InternalError")
          .withMessage("simulated internal error").build());
    }
    return null;
  }

  private MockResponse route(Kind kind, RecordedRequest request, Matcher m, Pod body) {
    if (!m.matches()) {
      return withBody(crud.dispatch(request), kind);
    }
    String namespace = m.group(1) == null ? null : m.group(1);
    String name = m.group(2);
    String sub = m.group(3);
    Map<String, String> query = query(m.group(4));
    if (namespace == null && kind != Kind.LIST && kind != Kind.WATCH) {
      return status(PodStore.status(404, "NotFound", "the server could not find the requested resource", name));
    }
    try {
      return switch (kind) {
        case CREATE -> create(body == null ? parsePod(request) : body, namespace);
        case DELETE -> answer(store.delete(namespace, name));
        case LOG -> log(namespace, name, m.group(4));
        case GET -> {
          PodStore.Stored s = store.get(namespace, name);
          yield s == null ? notFound(name) : json(200, s.json());
        }
        case LIST -> json(200, store.list(namespace, LabelSelector.parse(query.get("labelSelector")),
            PodStore.FieldSelector.parse(query.get("fieldSelector"))));
        case WATCH -> watch(namespace, query);
        case STATUS, UPDATE -> {
          boolean statusOnly = kind == Kind.STATUS;
          String text = new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
          if ("PATCH".equals(request.getMethod())) {
            yield answer(store.patch(namespace, name, request.getHeader("Content-Type"), text, statusOnly));
          }
          yield answer(store.replace(namespace, name, Serialization.unmarshal(text, Pod.class), statusOnly));
        }
        default -> {
          if ("DELETE".equals(request.getMethod()) && name == null && namespace != null) {
            yield answer(store.deleteCollection(namespace, LabelSelector.parse(query.get("labelSelector")),
                PodStore.FieldSelector.parse(query.get("fieldSelector"))));
          }
          yield status(PodStore.status(405, "MethodNotAllowed", "the simulated API server does not serve "
              + request.getMethod() + " " + (sub == null ? "pods" : "pods/" + sub), name));
        }
      };
    } catch (IllegalArgumentException e) {
      return status(PodStore.status(400, "BadRequest", e.getMessage(), name));
    }
  }

  private MockResponse watch(String namespace, Map<String, String> query) {
    LabelSelector labels = LabelSelector.parse(query.get("labelSelector"));
    PodStore.FieldSelector fields = PodStore.FieldSelector.parse(query.get("fieldSelector"));
    String from = query.get("resourceVersion");
    boolean expire = faults.takeWatchExpiry();
    return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
      @Override
      public void onOpen(WebSocket socket, Response response) {
        store.watch(namespace, labels, fields, from, expire, socket);
      }

      @Override
      public void onClosing(WebSocket socket, int code, String reason) {
        store.unwatch(socket);
        socket.close(code, reason);
      }

      @Override
      public void onClosed(WebSocket socket, int code, String reason) {
        store.unwatch(socket);
      }

      @Override
      public void onFailure(WebSocket socket, Throwable t, Response response) {
        store.unwatch(socket);
      }
    });
  }

  private MockResponse create(Pod pod, String namespace) {
    if (pod == null) {
      return status(PodStore.status(400, "BadRequest", "the request body is not a pod", null));
    }
    String name = pod.getMetadata() == null ? null : pod.getMetadata().getName();
    MockResponse r = answer(store.create(namespace, pod, faults.maxPods()));
    if (r.code() == 201) {
      counters.created(name);
    } else if (r.code() == 403) {
      counters.fault(403);
    }
    return r;
  }

  /** {@code dryRun=All} in the query: check and answer as the write would be answered, store nothing. */
  private static boolean isDryRun(Matcher m) {
    return m.matches() && "All".equals(query(m.group(4)).get("dryRun"));
  }

  /**
   * A dry-run create, as Kubernetes answers it: 201 with the pod as it would be stored, nothing
   * stored, no watch event, not counted as a create.
   */
  private static MockResponse dryRunCreate(Pod pod, String namespace) {
    if (pod == null || pod.getMetadata() == null || pod.getMetadata().getName() == null) {
      return status(PodStore.status(400, "BadRequest", "the request body is not a named pod", null));
    }
    pod.getMetadata().setNamespace(namespace);
    return json(201, Serialization.asJson(pod));
  }

  private static Pod parsePod(RecordedRequest request) {
    try {
      return request.getBody() == null ? null
          : Serialization.unmarshal(new String(request.getBody().getBytes(), StandardCharsets.UTF_8), Pod.class);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static MockResponse answer(PodStore.Answer a) {
    return json(a.code(), a.json());
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json").setBody(body);
  }

  private static Map<String, String> query(String q) {
    Map<String, String> m = new HashMap<>();
    if (q != null) {
      for (String kv : q.split("&")) {
        String[] p = kv.split("=", 2);
        m.put(URLDecoder.decode(p[0], StandardCharsets.UTF_8), p.length == 2 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "");
      }
    }
    return m;
  }

  /** GET .../pods/{name}/log?container=model&tailLines=N, from the simulated kubelet's records. */
  private MockResponse log(String namespace, String name, String query) {
    if (store.get(namespace, name) == null) {
      return notFound(name);
    }
    int tail = 0;
    if (query != null) {
      for (String kv : query.split("&")) {
        String[] p = kv.split("=", 2);
        if (p.length == 2 && p[0].equals("tailLines")) {
          try {
            tail = Integer.parseInt(URLDecoder.decode(p[1], StandardCharsets.UTF_8));
          } catch (NumberFormatException e) {
            return status(new StatusBuilder().withStatus("Failure").withCode(400).withReason("BadRequest")
                .withMessage("tailLines must be a number").build());
          }
        }
      }
    }
    return logs.tail(name, tail)
        .map(lines -> new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain")
            .setBody(lines.isEmpty() ? "" : String.join("\n", lines) + "\n"))
        .orElseGet(() -> status(new StatusBuilder().withStatus("Failure").withCode(400).withReason("BadRequest")
            .withMessage("container \"model\" in pod \"" + name + "\" is waiting to start: ContainerCreating").build()));
  }

  private static MockResponse notFound(String name) {
    return status(new StatusBuilder().withStatus("Failure").withCode(404).withReason("NotFound")
        .withMessage("pods \"" + name + "\" not found").build());
  }

  /** The CRUD dispatcher answers 404 without a body; the real server (and the delay) need one. */
  private static MockResponse withBody(MockResponse r, Kind kind) {
    if (r.code() == 404 && (r.getBody() == null || r.getBody().size() == 0)) {
      return status(new StatusBuilder().withStatus("Failure").withCode(404).withReason("NotFound")
          .withMessage("the requested " + kind.name().toLowerCase(java.util.Locale.ROOT) + " target was not found").build());
    }
    return r;
  }

  private static MockResponse status(Status s) {
    return new MockResponse().setResponseCode(s.getCode()).setHeader("Content-Type", "application/json")
        .setBody(Serialization.asJson(s));
  }

  /** Delays the answer without blocking the server's event loop (it only delays bodies). */
  private static MockResponse delayed(MockResponse r, Duration latency) {
    if (latency.isZero() || r.getWebSocketListener() != null) {
      return r;
    }
    if (r.getBody() == null || r.getBody().size() == 0) {
      r.setBody(r.code() == 200 ? "{}" : " ");
    }
    return r.setBodyDelay(latency);
  }

  private static Kind kindOf(String method, Matcher m) {
    if (!m.matches()) {
      return Kind.OTHER;
    }
    String name = m.group(2);
    String sub = m.group(3);
    String query = m.group(4);
    return switch (method) {
      case "POST" -> name == null ? Kind.CREATE : Kind.OTHER;
      case "DELETE" -> name != null && sub == null ? Kind.DELETE : Kind.OTHER;
      case "GET" -> {
        if (name == null) {
          yield query != null && List.of(query.split("&")).contains("watch=true") ? Kind.WATCH : Kind.LIST;
        }
        if ("log".equals(sub)) {
          yield Kind.LOG;
        }
        yield sub == null ? Kind.GET : Kind.OTHER;
      }
      case "PUT", "PATCH" -> "status".equals(sub) ? Kind.STATUS : name != null && sub == null ? Kind.UPDATE : Kind.OTHER;
      default -> Kind.OTHER;
    };
  }
}
