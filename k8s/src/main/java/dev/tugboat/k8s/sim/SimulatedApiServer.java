package dev.tugboat.k8s.sim;

import dev.tugboat.k8s.sim.ApiServerCounters.Kind;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The simulated API server's request handling: fabric8's CRUD dispatcher (pods stored in memory,
 * watches served) wrapped with what it lacks: fault injection (429 bursts with Retry-After, 500s,
 * latency, a pod quota), the pod log endpoint fed by the simulated kubelet, and counters.
 * Requests carrying the kubelet's user agent pass through untouched and uncounted.
 */
final class SimulatedApiServer extends Dispatcher {

  static final String KUBELET_USER_AGENT = "tugboat-simulated-kubelet";

  private static final Pattern PODS = Pattern.compile(
      "^/api/v1/namespaces/([^/?]+)/pods(?:/([^/?]+))?(?:/([^/?]+))?(?:\\?(.*))?$");

  private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
  private final Faults faults;
  private final ApiServerCounters counters;
  private final ModelLogs logs;
  private final Object quotaLock = new Object();
  private int pods;

  SimulatedApiServer(Faults faults, ApiServerCounters counters, ModelLogs logs) {
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
      return route(kind, request, m);
    }
    counters.request(kind);
    if (kind == Kind.CREATE) {
      counters.createAttempt(podNameInBody(request));
    }
    if (kind == Kind.WATCH || kind == Kind.LIST || kind == Kind.OTHER) {
      return route(kind, request, m);
    }
    Duration latency = faults.latency();
    counters.arrive(latency);
    MockResponse response = injectedFault(kind);
    if (response == null) {
      response = route(kind, request, m);
    }
    return delayed(response, latency);
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

  private MockResponse route(Kind kind, RecordedRequest request, Matcher m) {
    return switch (kind) {
      case CREATE -> create(request, m.group(1));
      case DELETE -> delete(request);
      case LOG -> log(m.group(1), m.group(2), m.group(4));
      default -> withBody(crud.dispatch(request), kind);
    };
  }

  private MockResponse create(RecordedRequest request, String namespace) {
    String name = podNameInBody(request);
    synchronized (quotaLock) {
      int max = faults.maxPods();
      if (max > 0 && pods >= max) {
        counters.fault(403);
        return status(new StatusBuilder().withStatus("Failure").withCode(403).withReason("Forbidden")
            .withMessage("pods \"" + name + "\" is forbidden: exceeded quota: tugboat-simulated, requested: pods=1, used: pods="
                + pods + ", limited: pods=" + max)
            .build());
      }
      MockResponse r = crud.dispatch(request);
      if (r.code() == 201) {
        pods++;
        counters.created(name);
      }
      return withBody(r, Kind.CREATE);
    }
  }

  private MockResponse delete(RecordedRequest request) {
    synchronized (quotaLock) {
      MockResponse r = crud.dispatch(request);
      if (r.code() == 200) {
        pods = Math.max(0, pods - 1);
      }
      return withBody(r, Kind.DELETE);
    }
  }

  /** GET .../pods/{name}/log?container=model&tailLines=N, from the simulated kubelet's records. */
  private MockResponse log(String namespace, String name, String query) {
    MockResponse pod = crud.handleGet("/api/v1/namespaces/" + namespace + "/pods/" + name);
    if (pod.code() != 200) {
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

  private static String podNameInBody(RecordedRequest request) {
    try {
      // getBytes() leaves the body in place for the CRUD dispatcher (getUtf8Body() would consume it).
      String body = request.getBody() == null ? null : new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
      if (body == null || body.isEmpty()) {
        return "";
      }
      return Serialization.jsonMapper().readTree(body).path("metadata").path("name").asText("");
    } catch (Exception e) {
      return "";
    }
  }
}
