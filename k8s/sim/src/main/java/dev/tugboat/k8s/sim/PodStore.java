package dev.tugboat.k8s.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.zjsonpatch.JsonPatch;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The simulated API server's pod storage: pods indexed by namespace/name (O(1) get, create,
 * update, delete), one resourceVersion counter, a bounded history of watch events (a watch from
 * a resourceVersion older than the history gets 410 Gone, as after an etcd compaction), and the
 * open watches, each sent its events as pre-serialised frames. Every change takes one lock, so
 * resourceVersions, history and the order of events on every watch agree.
 */
final class PodStore {

  /** One stored pod version; json is its serialised form, shared by GET, LIST and watch frames. */
  record Stored(Pod pod, String json, long resourceVersion) {}

  /** One change, as watches see it. */
  record Event(String type, long resourceVersion, String namespace, Pod pod, String json) {
    String frame() {
      return "{\"type\":\"" + type + "\",\"object\":" + json + "}";
    }
  }

  /** An answer: the HTTP code and either the JSON body or a Status. */
  record Answer(int code, String json) {
    static Answer of(Status s) {
      return new Answer(s.getCode(), Serialization.asJson(s));
    }
  }

  /** An in-process observer of every change (the simulated kubelet); called under the lock, must hand off. */
  interface Listener {
    void onEvent(Event event);
  }

  private record Watch(String namespace, LabelSelector labels, FieldSelector fields, WebSocket socket) {
    boolean wants(Event e) {
      return (namespace == null || namespace.equals(e.namespace())) && labels.matches(e.pod().getMetadata().getLabels())
          && fields.matches(e.pod());
    }
  }

  private static final Pattern DNS1123_SUBDOMAIN =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");

  private final Object lock = new Object();
  private final Map<String, Stored> pods = new ConcurrentHashMap<>();
  private final ArrayDeque<Event> history = new ArrayDeque<>();
  private final int historyLimit;
  private final List<Watch> watches = new ArrayList<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private long resourceVersion = 1000;
  private int livePods;
  private int peakLivePods;

  PodStore(int historyLimit) {
    this.historyLimit = historyLimit;
  }

  void addListener(Listener l) {
    listeners.add(l);
  }

  Stored get(String namespace, String name) {
    return pods.get(namespace + "/" + name);
  }

  /** The most live pods there were at once since the last {@link #resetPeakLivePods()}. */
  int peakLivePods() {
    synchronized (lock) {
      return peakLivePods;
    }
  }

  void resetPeakLivePods() {
    synchronized (lock) {
      peakLivePods = livePods;
    }
  }

  /** Pods not in phase Succeeded or Failed (what a pod quota counts). */
  int livePods() {
    synchronized (lock) {
      return livePods;
    }
  }

  int size() {
    return pods.size();
  }

  // ---- changes ----

  /** POST: 201 with the stored pod, 409 AlreadyExists, 422 Invalid, or 403 exceeded quota when maxLive > 0 is reached. */
  Answer create(String namespace, Pod pod, int maxLive) {
    ObjectMeta meta = pod.getMetadata() == null ? new ObjectMeta() : pod.getMetadata();
    pod.setMetadata(meta);
    if ((meta.getName() == null || meta.getName().isEmpty()) && meta.getGenerateName() != null) {
      meta.setName(meta.getGenerateName() + UUID.randomUUID().toString().substring(0, 5));
    }
    String name = meta.getName();
    if (name == null || name.isEmpty() || name.length() > 253 || !DNS1123_SUBDOMAIN.matcher(name).matches()) {
      return Answer.of(status(422, "Invalid", "Pod \"" + name + "\" is invalid: metadata.name: Invalid value: \""
          + name + "\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'", name));
    }
    if (meta.getNamespace() != null && !meta.getNamespace().equals(namespace)) {
      return Answer.of(status(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request", name));
    }
    if (pod.getSpec() == null || pod.getSpec().getContainers() == null || pod.getSpec().getContainers().isEmpty()) {
      return Answer.of(status(422, "Invalid", "Pod \"" + name + "\" is invalid: spec.containers: Required value", name));
    }
    meta.setNamespace(namespace);
    meta.setUid(UUID.randomUUID().toString());
    meta.setCreationTimestamp(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    meta.setGeneration(1L);
    meta.setDeletionTimestamp(null);
    if (pod.getStatus() == null || pod.getStatus().getPhase() == null) {
      PodStatus s = new PodStatus();
      s.setPhase("Pending");
      s.setQosClass("BestEffort");
      pod.setStatus(s);
    }
    // Serialised before taking the lock: the lock then only orders the change.
    Prepared prepared = prepare(pod);
    synchronized (lock) {
      String key = namespace + "/" + name;
      if (pods.containsKey(key)) {
        return Answer.of(status(409, "AlreadyExists", "pods \"" + name + "\" already exists", name));
      }
      if (maxLive > 0 && livePods >= maxLive) {
        return Answer.of(status(403, "Forbidden", "pods \"" + name + "\" is forbidden: exceeded quota: tugboat-simulated, "
            + "requested: pods=1, used: pods=" + livePods + ", limited: pods=" + maxLive, name));
      }
      Stored s = put(key, "ADDED", prepared, null);
      return new Answer(201, s.json());
    }
  }

  /** PUT of the pod (statusOnly = false: metadata and spec) or of its status subresource. */
  Answer replace(String namespace, String name, Pod body, boolean statusOnly) {
    synchronized (lock) {
      String key = namespace + "/" + name;
      Stored current = pods.get(key);
      if (current == null) {
        return Answer.of(status(404, "NotFound", "pods \"" + name + "\" not found", name));
      }
      String rv = body.getMetadata() == null ? null : body.getMetadata().getResourceVersion();
      if (rv != null && !rv.isEmpty() && !rv.equals(String.valueOf(current.resourceVersion()))) {
        return Answer.of(status(409, "Conflict", "Operation cannot be fulfilled on pods \"" + name
            + "\": the object has been modified; please apply your changes to the latest version and try again", name));
      }
      Pod next = merged(current.pod(), body, statusOnly);
      return new Answer(200, put(key, "MODIFIED", prepare(next), current).json());
    }
  }

  /** PATCH: JSON patch, or merge patch (strategic merge patches are applied as merge patches). */
  Answer patch(String namespace, String name, String contentType, String patch, boolean statusOnly) {
    synchronized (lock) {
      String key = namespace + "/" + name;
      Stored current = pods.get(key);
      if (current == null) {
        return Answer.of(status(404, "NotFound", "pods \"" + name + "\" not found", name));
      }
      Pod patched;
      try {
        JsonNode doc = Serialization.jsonMapper().readTree(current.json());
        JsonNode p = Serialization.jsonMapper().readTree(patch);
        JsonNode result = contentType != null && contentType.startsWith("application/json-patch+json")
            ? JsonPatch.apply(p, doc) : mergePatch(doc, p);
        patched = Serialization.jsonMapper().treeToValue(result, Pod.class);
      } catch (Exception e) {
        return Answer.of(status(422, "Invalid", "the patch could not be applied: " + e.getMessage(), name));
      }
      String rv = patched.getMetadata() == null ? null : patched.getMetadata().getResourceVersion();
      if (rv != null && !rv.equals(String.valueOf(current.resourceVersion()))) {
        return Answer.of(status(409, "Conflict", "Operation cannot be fulfilled on pods \"" + name
            + "\": the object has been modified", name));
      }
      Pod next = merged(current.pod(), patched, statusOnly);
      return new Answer(200, put(key, "MODIFIED", prepare(next), current).json());
    }
  }

  /**
   * The kubelet's status write: applies the change to the latest version of the pod with this
   * uid (a kubelet owns its pods' status, so no conflict check). False if the pod is gone.
   */
  boolean updateStatus(String namespace, String name, String uid, UnaryOperator<PodStatus> change) {
    String key = namespace + "/" + name;
    while (true) {
      Stored current = pods.get(key);
      if (current == null || !Objects.equals(current.pod().getMetadata().getUid(), uid)) {
        return false;
      }
      // The copy and its serialisation happen outside the lock; the write goes in only if the
      // pod did not change meanwhile, else it is made again from the newer version.
      Pod next = withStatus(current.pod(), change.apply(current.pod().getStatus() == null ? new PodStatus()
          : new PodStatusBuilder(current.pod().getStatus()).build()));
      Prepared prepared = prepare(next);
      synchronized (lock) {
        if (pods.get(key) == current) {
          put(key, "MODIFIED", prepared, current);
          return true;
        }
      }
    }
  }

  /** DELETE: 200 with the pod as it was deleted, or 404. Pods go at once (no graceful termination). */
  Answer delete(String namespace, String name) {
    String key = namespace + "/" + name;
    while (true) {
      Stored current = pods.get(key);
      if (current == null) {
        return Answer.of(status(404, "NotFound", "pods \"" + name + "\" not found", name));
      }
      Prepared gone = prepare(deleted(current.pod()));
      synchronized (lock) {
        if (pods.get(key) == current) {
          pods.remove(key);
          return new Answer(200, removed(current, gone).json());
        }
      }
    }
  }

  /** DELETE of the collection: every matching pod; answers the deleted pods as a list. */
  Answer deleteCollection(String namespace, LabelSelector labels, FieldSelector fields) {
    synchronized (lock) {
      StringBuilder items = new StringBuilder();
      for (Iterator<Map.Entry<String, Stored>> it = pods.entrySet().iterator(); it.hasNext(); ) {
        Stored s = it.next().getValue();
        if (matches(s.pod(), namespace, labels, fields)) {
          it.remove();
          Event e = removed(s, prepare(deleted(s.pod())));
          items.append(items.length() == 0 ? "" : ",").append(e.json());
        }
      }
      return new Answer(200, listJson(resourceVersion, items));
    }
  }

  /** The pod as a DELETED event shows it: its last version with a deletionTimestamp. */
  private static Pod deleted(Pod current) {
    Pod gone = withStatus(current, current.getStatus());
    gone.getMetadata().setDeletionTimestamp(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    return gone;
  }

  private Event removed(Stored current, Prepared gone) {
    long rv = ++resourceVersion;
    if (isLive(current.pod())) {
      livePods--;
    }
    Event e = new Event("DELETED", rv, gone.pod().getMetadata().getNamespace(), gone.pod(), gone.json(rv));
    publish(e);
    return e;
  }

  /**
   * A pod version serialised ahead of the lock, with a placeholder where its resourceVersion
   * goes; {@link #json(long)} puts the version in once the lock has assigned it.
   */
  private record Prepared(Pod pod, String template) {
    String json(long rv) {
      pod.getMetadata().setResourceVersion(String.valueOf(rv));
      return template.replace(RV_PLACEHOLDER, String.valueOf(rv));
    }
  }

  private static final String RV_PLACEHOLDER = "tugboat-simulated-resource-version-placeholder";

  private static Prepared prepare(Pod pod) {
    pod.getMetadata().setResourceVersion(RV_PLACEHOLDER);
    return new Prepared(pod, Serialization.asJson(pod));
  }

  /** A new pod version with another status; metadata is copied (its resourceVersion changes), the spec shared. */
  private static Pod withStatus(Pod current, PodStatus status) {
    return new Pod(current.getApiVersion(), current.getKind(), new ObjectMetaBuilder(current.getMetadata()).build(),
        current.getSpec(), status);
  }

  private Stored put(String key, String type, Prepared prepared, Stored previous) {
    long rv = ++resourceVersion;
    String json = prepared.json(rv);
    Pod pod = prepared.pod();
    Stored s = new Stored(pod, json, rv);
    pods.put(key, s);
    livePods += (isLive(pod) ? 1 : 0) - (previous != null && isLive(previous.pod()) ? 1 : 0);
    peakLivePods = Math.max(peakLivePods, livePods);
    publish(new Event(type, rv, pod.getMetadata().getNamespace(), pod, json));
    return s;
  }

  private void publish(Event e) {
    history.addLast(e);
    while (history.size() > historyLimit) {
      history.pollFirst();
    }
    if (!watches.isEmpty()) {
      String frame = null;
      for (Iterator<Watch> it = watches.iterator(); it.hasNext(); ) {
        Watch w = it.next();
        if (w.wants(e)) {
          frame = frame == null ? e.frame() : frame;
          w.socket().send(frame);
        }
      }
    }
    for (Listener l : listeners) {
      l.onEvent(e);
    }
  }

  private static boolean isLive(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return !"Succeeded".equals(phase) && !"Failed".equals(phase);
  }

  /** The stored pod with the body's metadata and spec (PUT of the pod) or status (PUT of the status). */
  private static Pod merged(Pod current, Pod body, boolean statusOnly) {
    Pod next = new PodBuilder(current).build();
    if (statusOnly) {
      next.setStatus(body.getStatus());
    } else {
      ObjectMeta m = next.getMetadata();
      if (body.getMetadata() != null) {
        m.setLabels(body.getMetadata().getLabels());
        m.setAnnotations(body.getMetadata().getAnnotations());
        m.setFinalizers(body.getMetadata().getFinalizers());
        m.setOwnerReferences(body.getMetadata().getOwnerReferences());
      }
      if (body.getSpec() != null) {
        next.setSpec(body.getSpec());
      }
    }
    return next;
  }

  private static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch;
    }
    ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
        : Serialization.jsonMapper().createObjectNode();
    patch.fields().forEachRemaining(f -> {
      if (f.getValue().isNull()) {
        result.remove(f.getKey());
      } else {
        result.set(f.getKey(), mergePatch(result.get(f.getKey()), f.getValue()));
      }
    });
    return result;
  }

  // ---- reads and watches ----

  /** LIST: the matching pods and the resourceVersion to watch from (namespace null: all namespaces). */
  String list(String namespace, LabelSelector labels, FieldSelector fields) {
    long rv;
    List<Stored> snapshot = new ArrayList<>();
    synchronized (lock) {
      rv = resourceVersion;
      for (Stored s : pods.values()) {
        if (matches(s.pod(), namespace, labels, fields)) {
          snapshot.add(s);
        }
      }
    }
    StringBuilder items = new StringBuilder(snapshot.size() * 2048);
    for (Stored s : snapshot) {
      items.append(items.length() == 0 ? "" : ",").append(s.json());
    }
    return listJson(rv, items);
  }

  private static String listJson(long rv, CharSequence items) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"" + rv + "\"},\"items\":["
        + items + "]}";
  }

  private static boolean matches(Pod pod, String namespace, LabelSelector labels, FieldSelector fields) {
    return (namespace == null || namespace.equals(pod.getMetadata().getNamespace()))
        && labels.matches(pod.getMetadata().getLabels()) && fields.matches(pod);
  }

  /**
   * Opens a watch on an upgraded connection: replays what happened after resourceVersion (all
   * current pods as ADDED when it is empty or "0"), then streams. A version older than the history
   * (or expire = true) gets an ERROR event with 410 Gone and the connection closes.
   */
  void watch(String namespace, LabelSelector labels, FieldSelector fields, String fromVersion, boolean expire,
             WebSocket socket) {
    synchronized (lock) {
      Watch w = new Watch(namespace, labels, fields, socket);
      if (fromVersion == null || fromVersion.isEmpty() || fromVersion.equals("0")) {
        for (Stored s : pods.values()) {
          if (matches(s.pod(), namespace, labels, fields)) {
            socket.send("{\"type\":\"ADDED\",\"object\":" + s.json() + "}");
          }
        }
      } else {
        long from;
        try {
          from = Long.parseLong(fromVersion);
        } catch (NumberFormatException e) {
          from = -1;
        }
        long oldest = history.isEmpty() ? resourceVersion + 1 : history.peekFirst().resourceVersion();
        if (expire || from < 0 || from < oldest - 1) {
          Status gone = status(410, "Expired", "too old resource version: " + fromVersion + " (" + (oldest - 1) + ")", null);
          socket.send("{\"type\":\"ERROR\",\"object\":" + Serialization.asJson(gone) + "}");
          socket.close(1000, "resource version expired");
          return;
        }
        for (Event e : history) {
          if (e.resourceVersion() > from && w.wants(e)) {
            socket.send(e.frame());
          }
        }
      }
      watches.add(w);
    }
  }

  void unwatch(WebSocket socket) {
    synchronized (lock) {
      watches.removeIf(w -> w.socket() == socket);
    }
  }

  /** Closes every open watch connection (the clients reconnect from their last resourceVersion). */
  int dropWatches() {
    List<Watch> dropped;
    synchronized (lock) {
      dropped = new ArrayList<>(watches);
      watches.clear();
    }
    dropped.forEach(w -> w.socket().close(1000, "watch closed by the simulated API server"));
    return dropped.size();
  }

  int openWatches() {
    synchronized (lock) {
      return watches.size();
    }
  }

  static Status status(int code, String reason, String message, String name) {
    StatusBuilder b = new StatusBuilder().withStatus("Failure").withCode(code).withReason(reason).withMessage(message);
    if (name != null) {
      b.withNewDetails().withName(name).withKind("pods").endDetails();
    }
    return b.build();
  }

  /** A field selector on metadata.name, metadata.namespace or status.phase (= / == / !=). */
  record FieldSelector(List<String[]> terms) {
    static final FieldSelector EVERYTHING = new FieldSelector(List.of());

    static FieldSelector parse(String s) {
      if (s == null || s.isBlank()) {
        return EVERYTHING;
      }
      List<String[]> terms = new ArrayList<>();
      for (String p : s.split(",")) {
        int neq = p.indexOf("!=");
        int eq = p.indexOf('=');
        if (neq > 0) {
          terms.add(new String[] {p.substring(0, neq).trim(), "!=", p.substring(neq + 2).trim()});
        } else if (eq > 0) {
          terms.add(new String[] {p.substring(0, eq).trim(), "=", p.substring(p.startsWith("==", eq) ? eq + 2 : eq + 1).trim()});
        } else {
          throw new IllegalArgumentException("malformed field selector '" + s + "'");
        }
        String field = terms.get(terms.size() - 1)[0];
        if (!field.equals("metadata.name") && !field.equals("metadata.namespace") && !field.equals("status.phase")) {
          throw new IllegalArgumentException("field label not supported: " + field);
        }
      }
      return new FieldSelector(List.copyOf(terms));
    }

    boolean matches(Pod pod) {
      for (String[] t : terms) {
        String v = switch (t[0]) {
          case "metadata.name" -> pod.getMetadata().getName();
          case "metadata.namespace" -> pod.getMetadata().getNamespace();
          default -> pod.getStatus() == null ? "" : Objects.toString(pod.getStatus().getPhase(), "");
        };
        if (t[1].equals("=") != t[2].equals(v)) {
          return false;
        }
      }
      return true;
    }
  }
}
