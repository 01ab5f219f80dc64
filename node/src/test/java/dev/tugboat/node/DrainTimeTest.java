package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DrainTimeTest {

  @Test
  void theDefaultIsTenSeconds() {
    assertEquals(Duration.ofSeconds(10), DrainTime.fromConfig(ConfigFactory.load()).time());
  }

  @Test
  void thePhasesLeaveAShareForWhatStopsAfterTheActorSystem() {
    assertTrue(DrainTime.ACTOR_SYSTEM_PERCENT <= 80, "phases take " + DrainTime.ACTOR_SYSTEM_PERCENT + " %");
    DrainTime drain = new DrainTime(Duration.ofSeconds(10));
    assertEquals(Duration.ofSeconds(1), drain.phaseTimeout("service-requests-done"));
    assertEquals(Duration.ofMillis(1700), drain.phaseTimeout("cluster-sharding-shutdown-region"));
    assertEquals(Duration.ofSeconds(2), drain.phaseTimeout("cluster-exiting"));
    assertEquals(Duration.ofMillis(100), drain.phaseTimeout("a-library-phase"));
  }

  @Test
  void everyPhaseOfPekkosCoordinatedShutdownGetsItsShare() {
    DrainTime drain = new DrainTime(Duration.ofSeconds(20));
    Config pekko = drain.shutdownConfig().withFallback(ConfigFactory.load()).getConfig("pekko.coordinated-shutdown");
    Duration sum = Duration.ZERO;
    for (String phase : pekko.getConfig("phases").root().keySet()) {
      Duration timeout = pekko.hasPath("phases." + phase + ".timeout")
          ? pekko.getDuration("phases." + phase + ".timeout") : pekko.getDuration("default-phase-timeout");
      assertEquals(drain.phaseTimeout(phase), timeout, phase);
      sum = sum.plus(timeout);
    }
    assertTrue(sum.compareTo(drain.time()) < 0, "the phases' timeouts add up to " + sum);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0s", "999ms"})
  void lessThanASecondIsRefused(String value) {
    var e = assertThrows(IllegalArgumentException.class,
        () -> DrainTime.fromConfig(ConfigFactory.parseMap(Map.of("tugboat.drain-time", value))));
    assertTrue(e.getMessage().startsWith("tugboat.drain-time (TUGBOAT_DRAIN_TIME) must be a duration of at least 1s"),
        e.getMessage());
  }
}
