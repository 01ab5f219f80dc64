package dev.tugboat.http.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.Cookie;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.Test;

/** Which headers cross the proxy, each way. */
class ProxyHeadersTest {
  private static final TraceParent TRACE = TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
      .orElseThrow();

  @Test
  void towardsTheReplica() {
    List<HttpHeader> incoming = List.of(
        RawHeader.create("Connection", "keep-alive, X-Drop-Me"),
        RawHeader.create("X-Drop-Me", "1"),
        RawHeader.create("Keep-Alive", "timeout=5"),
        RawHeader.create("Upgrade", "h2c"),
        RawHeader.create("Host", "tugboat.example"),
        RawHeader.create("Authorization", "Bearer secret"),
        Cookie.create("tugboat_session", "s"),
        Cookie.create("app", "1"),
        RawHeader.create("X-Forwarded-For", "10.0.0.1"),
        RawHeader.create("X-Forwarded-Proto", "https"),
        RawHeader.create("traceparent", "00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbb-01"),
        RawHeader.create("Sec-WebSocket-Key", "k"),
        RawHeader.create("Accept", "text/html"));
    Map<String, String> out = byName(ProxyHeaders.toReplica(incoming, true, Optional.of("192.0.2.7"), "http",
        "tugboat.example", "/lab", TRACE, Optional.empty(), true));
    Map<String, String> expected = new TreeMap<>(Map.of(
        "cookie", "app=1",
        "x-forwarded-for", "10.0.0.1, 192.0.2.7",
        "x-forwarded-proto", "https",
        "x-forwarded-host", "tugboat.example",
        "x-forwarded-prefix", "/lab",
        "traceparent", TRACE.header(),
        "accept", "text/html"));
    assertEquals(expected, out);
  }

  @Test
  void anAuthorizationThatIsNotTugboatsIsKept() {
    Map<String, String> out = byName(ProxyHeaders.toReplica(List.of(RawHeader.create("Authorization", "Basic eDp5")),
        false, Optional.empty(), "https", "", "", TRACE, Optional.of("v=1"), false));
    assertEquals("Basic eDp5", out.get("authorization"));
    assertEquals("https", out.get("x-forwarded-proto"));
    assertEquals("v=1", out.get("tracestate"));
  }

  @Test
  void backToTheCaller() {
    Map<String, String> out = byName(ProxyHeaders.toCaller(List.of(
        RawHeader.create("Transfer-Encoding", "chunked"),
        RawHeader.create("Set-Cookie", "tugboat_session=evil; Path=/"),
        RawHeader.create("Set-Cookie", "tugboat_service=evil"),
        RawHeader.create("Set-Cookie", "app=1"),
        RawHeader.create("traceresponse", "forged"),
        RawHeader.create("X-App", "1")), TRACE));
    assertEquals(Map.of("set-cookie", "app=1", "x-app", "1", "traceresponse", TRACE.header()), out);
  }

  private static Map<String, String> byName(List<HttpHeader> headers) {
    Map<String, String> byName = new TreeMap<>();
    for (HttpHeader h : headers) {
      byName.merge(h.lowercaseName(), h.value(), (a, b) -> a + " | " + b);
    }
    return byName;
  }
}
