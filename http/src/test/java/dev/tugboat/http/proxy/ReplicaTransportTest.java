package dev.tugboat.http.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReplicaTransportTest {

  private static final ProxiedService.Replica REPLICA = new ProxiedService.Replica("notebook-r0-g3", "10.244.1.7");

  private static ReplicaTransport.ApiServer apiServer(String server, Supplier<Optional<String>> token,
      boolean tokenRequired) {
    try {
      return new ReplicaTransport.ApiServer(URI.create(server), "dots", SSLContext.getDefault(), true, token,
          tokenRequired);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest(name = "{0} port {1} {2}")
  @CsvSource(delimiter = '|', value = {
      "10.244.1.7 | 8888 | /              | false | http://10.244.1.7:8888/",
      "10.244.1.7 | 8888 | /ws?x=1        | true  | ws://10.244.1.7:8888/ws?x=1",
      "fd00::7    | 80   | /a%2Fb?q=%20   | false | http://[fd00::7]:80/a%2Fb?q=%20",
  })
  void thePodNetworkIsThePodIpAndPort(String ip, int port, String target, boolean webSocket, String expected) {
    assertEquals(expected, ReplicaTransport.podNetwork().uri(new ProxiedService.Replica("p", ip), port, target,
        webSocket));
    assertEquals(List.of(), ReplicaTransport.podNetwork().credentials());
    assertTrue(ReplicaTransport.podNetwork().tls().isEmpty());
    assertFalse(ReplicaTransport.podNetwork().replacesAuthorization());
  }

  @ParameterizedTest(name = "{0} {2}")
  @CsvSource(delimiter = '|', value = {
      // The pod proxy path, the rest kept raw: percent-encoded slashes, spaces and query parts stay as they came.
      "https://api.example:6443      | notebook-r0-g3 | 8888 | /                    | false"
          + " | https://api.example:6443/api/v1/namespaces/dots/pods/notebook-r0-g3:8888/proxy/",
      "https://api.example:6443      | notebook-r0-g3 | 8888 | /lab/tree/a%2Fb%20c?token=x%26y&z | false"
          + " | https://api.example:6443/api/v1/namespaces/dots/pods/notebook-r0-g3:8888/proxy/lab/tree/a%2Fb%20c?token=x%26y&z",
      "https://api.example:6443      | notebook-r0-g3 | 8888 | /api/kernels/1/channels | true"
          + " | wss://api.example:6443/api/v1/namespaces/dots/pods/notebook-r0-g3:8888/proxy/api/kernels/1/channels",
      // A server URL with a path (a proxy in front of the API server) keeps it, without a doubled slash.
      "https://rancher.example/k8s/clusters/c-1/ | web.v2-r1 | 80 | /x    | false"
          + " | https://rancher.example/k8s/clusters/c-1/api/v1/namespaces/dots/pods/web.v2-r1:80/proxy/x",
      "http://127.0.0.1:8001         | p-0            | 65535 | /ws                  | true"
          + " | ws://127.0.0.1:8001/api/v1/namespaces/dots/pods/p-0:65535/proxy/ws",
  })
  void theApiServerIsItsPodProxySubresource(String server, String pod, int port, String target, boolean webSocket,
      String expected) {
    assertEquals(expected, apiServer(server, Optional::empty, false).uri(new ProxiedService.Replica(pod, "10.0.0.1"),
        port, target, webSocket));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"Pod-0 | 80 | /", "a/b | 80 | /", "a:1 | 80 | /", "p | 0 | /", "p | 70000 | /",
      "p | 80 | x", "-p | 80 | /"})
  void whatDoesNotFormAPodProxyPathIsRefused(String pod, int port, String target) {
    assertThrows(IllegalArgumentException.class,
        () -> apiServer("https://api:6443", Optional::empty, false).uri(new ProxiedService.Replica(pod, "10.0.0.1"),
            port, target, false));
  }

  @Test
  void aBadServerOrNamespaceFailsAtStart() throws Exception {
    SSLContext ssl = SSLContext.getDefault();
    assertThrows(IllegalArgumentException.class, () -> new ReplicaTransport.ApiServer(URI.create("ftp://api"), "dots",
        ssl, true, Optional::empty, false));
    assertThrows(IllegalArgumentException.class, () -> new ReplicaTransport.ApiServer(URI.create("https://api"),
        "Dots_1", ssl, true, Optional::empty, false));
  }

  @Test
  void theTokenIsAskedForEveryRequestSoARotatedOneIsUsedAsSoonAsItsSupplierHasIt() {
    Deque<String> tokens = new ArrayDeque<>(List.of("first", "second"));
    ReplicaTransport.ApiServer t = apiServer("https://api:6443", () -> Optional.of(tokens.pop()), true);
    assertEquals(List.of("Bearer first"), t.credentials().stream().map(HttpHeader::value).toList());
    HttpHeader second = t.credentials().get(0);
    assertEquals("authorization", second.lowercaseName());
    assertEquals("Bearer second", second.value());
    assertTrue(t.replacesAuthorization(), "the caller's Authorization must not compete with the API server's");
    for (String token : List.of("first", "second")) {
      assertFalse(t.toString().contains(token), t.toString());
      assertFalse(t.describe().contains(token), t.describe());
    }
  }

  @Test
  void theTlsContextIsOneInstanceSoThatPekkoKeepsOnePool() {
    ReplicaTransport.ApiServer t = apiServer("https://api:6443", Optional::empty, false);
    assertTrue(t.tls().isPresent());
    assertSame(t.tls().get(), t.tls().get());
    assertTrue(apiServer("http://127.0.0.1:8001", Optional::empty, false).tls().isEmpty());
  }

  @ParameterizedTest(name = "{0} with prefix ''{1}''")
  @CsvSource(delimiter = '|', value = {
      // As the API server rewrites a redirect to the pod's own host or to a path: back under the proxy's prefix.
      "/api/v1/namespaces/dots/pods/notebook-r0-g3:8888/proxy/login?next=%2Flab#top | /notebook | /notebook/login?next=%2Flab#top",
      "/api/v1/namespaces/dots/pods/notebook-r0-g3:8888/proxy                       | /notebook | /notebook/",
      "/api/v1/namespaces/dots/pods/notebook-r0-g3:8888/proxy/                      |           | /",
      "/api/v1/namespaces/dots/pods/notebook-r0-g3%3A8888/proxy/a                   | /nb--8888 | /nb--8888/a",
      "https://api.example:6443/api/v1/namespaces/dots/pods/notebook-r0-g3:8888/proxy/x | /notebook | /notebook/x",
      "https://API.example/api/v1/namespaces/dots/pods/notebook-r0-g3:8888/proxy/x   | /notebook | https://API.example/api/v1/namespaces/dots/pods/notebook-r0-g3:8888/proxy/x",
      // Anything else is the replica's own address.
      "https://login.example/api/v1/namespaces/dots/pods/notebook-r0-g3:8888/proxy/x | /notebook | https://login.example/api/v1/namespaces/dots/pods/notebook-r0-g3:8888/proxy/x",
      "/api/v1/namespaces/dots/pods/notebook-r0-g3:8888/proxyx                       | /notebook | /api/v1/namespaces/dots/pods/notebook-r0-g3:8888/proxyx",
      "/api/v1/namespaces/dots/pods/other-0:8888/proxy/x                              | /notebook | /api/v1/namespaces/dots/pods/other-0:8888/proxy/x",
      "relative/path                                                                  | /notebook | relative/path",
      "not a uri                                                                      | /notebook | not a uri",
  })
  void theApiServersRewritingOfARedirectIsUndone(String location, String prefix, String expected) {
    ReplicaTransport.ApiServer t = apiServer("https://api.example:6443", Optional::empty, false);
    List<HttpHeader> in = List.of(RawHeader.create("Location", location), RawHeader.create("Content-Location", location),
        RawHeader.create("Refresh", "5; url=" + location), RawHeader.create("X-Other", location));
    List<HttpHeader> out = t.answerHeaders(in, REPLICA, 8888, prefix == null ? "" : prefix);
    assertEquals(List.of(expected, expected, location.contains(" ") ? "5; url=" + location : "5; url=" + expected,
        location), out.stream().map(HttpHeader::value).toList());
    assertEquals(in, ReplicaTransport.podNetwork().answerHeaders(in, REPLICA, 8888, "/notebook"));
  }

  @Test
  void aMissingTokenIsAMissingCredentialOnlyWhenOneIsRequired() {
    assertThrows(ReplicaTransport.MissingCredential.class,
        () -> apiServer("https://api:6443", Optional::empty, true).credentials());
    assertThrows(ReplicaTransport.MissingCredential.class,
        () -> apiServer("https://api:6443", () -> Optional.of(" "), true).credentials());
    assertThrows(ReplicaTransport.MissingCredential.class, () -> apiServer("https://api:6443", () -> {
      throw new IllegalStateException("token file gone");
    }, true).credentials());
    // A client certificate, or an API server that asks for nothing, needs no header.
    assertEquals(List.of(), apiServer("https://api:6443", Optional::empty, false).credentials());
  }
}
