package dev.tugboat.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.persistence.WindDown.Next;
import dev.tugboat.protocol.ModelSpec;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.TerminationStatus;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WindDownTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final ServiceSpec SPEC = ServiceSpec.of("so", "sim", new ModelSpec("m0", "img:1", List.of()), 1.0);
  private static final ServiceState.Ending ENDING =
      new ServiceState.Ending(TerminationStatus.SUCCEEDED, 0, "", List.of());

  private static ServiceState deleted(boolean notified, String problem) {
    return new ServiceState.Deleted(SPEC, ENDING, false, notified, problem, T0);
  }

  static Stream<Arguments> cases() {
    WindDown fresh = WindDown.start();
    WindDown gone = fresh.podGone();
    return Stream.of(
        Arguments.of("running", new ServiceState.Running(SPEC, T0), gone, true, Next.STAY),
        Arguments.of("terminated, acknowledged", new ServiceState.Terminated(SPEC, ENDING, T0, true, T0), gone, true,
            Next.STAY),
        Arguments.of("deleted, not acknowledged", deleted(false, null), gone, true, Next.STAY),
        Arguments.of("deleted, pod not seen gone", deleted(true, null), fresh, false, Next.LINGER),
        Arguments.of("deleted, pod seen gone", deleted(true, null), gone, false, Next.STOP),
        Arguments.of("deleted, linger over", deleted(true, null), fresh, true, Next.STOP),
        Arguments.of("deletion abandoned", deleted(true, "forbidden"), fresh, false, Next.STOP));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void aDeletedAcknowledgedServiceStopsOnceThePodIsSeenGoneOrTheLingerIsOver(String name, ServiceState state,
      WindDown windDown, boolean lingerOver, Next next) {
    assertEquals(next, windDown.next(state, lingerOver));
  }

  @Test
  void aRecoveredDeletedServiceHasNoDeletionToWaitFor() {
    assertTrue(WindDown.recovered(deleted(true, null)).podGoneSeen());
    assertEquals(Next.STOP, WindDown.recovered(deleted(true, null)).next(deleted(true, null), false));
    assertFalse(WindDown.recovered(new ServiceState.Running(SPEC, T0)).podGoneSeen());
  }

  @Test
  void removalAndPassivationAreRemembered() {
    WindDown w = WindDown.start().removing(true).passivated();
    assertTrue(w.removing());
    assertTrue(w.passivating());
    assertFalse(w.removing(false).removing());
    assertTrue(w.removing(false).passivating());
  }
}
