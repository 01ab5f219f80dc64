package dev.tugboat.http.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** W3C traceparent: what is valid, continuing a trace, starting one. */
class TraceParentTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  @Test
  void aValidHeaderIsContinuedWithANewSpan() {
    TraceParent incoming = TraceParent.parse("00-" + TRACE + "-00f067aa0ba902b7-01").orElseThrow();
    TraceParent child = incoming.child();
    assertEquals(TRACE, child.traceId());
    assertEquals("01", child.flags());
    assertNotEquals("00f067aa0ba902b7", child.spanId());
    assertTrue(child.header().matches("00-" + TRACE + "-[0-9a-f]{16}-01"), child.header());
  }

  @Test
  void aLaterVersionIsReadByItsFirstFields() {
    assertEquals(Optional.of(new TraceParent(TRACE, "00f067aa0ba902b7", "00")),
        TraceParent.parse("01-" + TRACE + "-00f067aa0ba902b7-00-extra"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "garbage", "00-" + TRACE + "-00f067aa0ba902b7-01-extra",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-" + TRACE + "-0000000000000000-01",
      "ff-" + TRACE + "-00f067aa0ba902b7-01", "00-" + "4BF92F3577B34DA6A3CE929D0E0E4736" + "-00f067aa0ba902b7-01",
      "00-" + TRACE + "-00f067aa0ba902b-01"})
  void invalidHeadersAreNotContinued(String value) {
    assertEquals(Optional.empty(), TraceParent.parse(value));
  }

  @Test
  void aStartedTraceIsValidAndSampled() {
    TraceParent started = TraceParent.start();
    assertEquals(Optional.of(started), TraceParent.parse(started.header()));
    assertEquals("01", started.flags());
    assertNotEquals(started.traceId(), TraceParent.start().traceId());
  }
}
