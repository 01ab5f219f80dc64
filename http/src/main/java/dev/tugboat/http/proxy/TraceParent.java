package dev.tugboat.http.proxy;

import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * A W3C Trace Context {@code traceparent}: the trace a request belongs to, the span that sent it
 * and the trace flags. The proxy keeps a valid incoming trace (its own span becomes the parent of
 * the replica's) and starts one otherwise, so a service's traces join the caller's.
 */
public record TraceParent(String traceId, String spanId, String flags) {
  public static final String HEADER = "traceparent";
  /** The answer's header naming the trace (W3C Trace Context Level 2). */
  public static final String RESPONSE_HEADER = "traceresponse";

  private static final Pattern VERSION_00 = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
  private static final Pattern LATER = Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?");
  private static final String ZERO_TRACE = "0".repeat(32);
  private static final String ZERO_SPAN = "0".repeat(16);

  /**
   * The trace of a {@code traceparent} value, when it is valid: version 00 exactly as specified, a
   * later version by its first four fields; never version ff, nor an all-zero trace or span id.
   */
  public static Optional<TraceParent> parse(String value) {
    String v = value.strip();
    var m = VERSION_00.matcher(v);
    if (!m.matches()) {
      m = LATER.matcher(v);
      if (!m.matches() || m.group(1).equals("00") || m.group(1).equals("ff")) {
        return Optional.empty();
      }
      return valid(m.group(2), m.group(3), m.group(4));
    }
    return valid(m.group(1), m.group(2), m.group(3));
  }

  private static Optional<TraceParent> valid(String trace, String span, String flags) {
    if (trace.equals(ZERO_TRACE) || span.equals(ZERO_SPAN)) {
      return Optional.empty();
    }
    return Optional.of(new TraceParent(trace, span, flags));
  }

  /** A new trace, sampled, with a fresh span. */
  public static TraceParent start() {
    return new TraceParent(randomHex(16, ZERO_TRACE), randomHex(8, ZERO_SPAN), "01");
  }

  /** The same trace and flags with a new span id: the proxy's own hop. */
  public TraceParent child() {
    return new TraceParent(traceId, randomHex(8, ZERO_SPAN), flags);
  }

  /** As sent: version 00. */
  public String header() {
    return "00-" + traceId + "-" + spanId + "-" + flags;
  }

  private static String randomHex(int bytes, String zero) {
    byte[] b = new byte[bytes];
    String hex;
    do {
      ThreadLocalRandom.current().nextBytes(b);
      hex = HexFormat.of().formatHex(b);
    } while (hex.equals(zero));
    return hex;
  }
}
