package dev.tugboat.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import dev.tugboat.protocol.DeployLimits;
import dev.tugboat.protocol.Sealer;
import dev.tugboat.protocol.SecretEnvNames;
import dev.tugboat.protocol.SecretKey;
import java.time.Duration;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/** Shared configuration of the entity unit tests: in-memory journal, ticks driven by hand. */
final class TestSupport {
  private TestSupport() {}

  static Config config() {
    return EventSourcedBehaviorTestKit.config()
        .withFallback(PersistenceTestKitSnapshotPlugin.config())
        .withFallback(ConfigFactory.load());
  }

  /**
   * Long ticks (never fire during a test) and a long ask timeout (asks never time out by
   * themselves); no late-ready wait (a simulation ends with its last termination) unless a test
   * asks for one.
   */
  static EntitySettings settings(Clock clock) {
    return new EntitySettings(Duration.ofHours(1), Duration.ofHours(1), Duration.ofSeconds(60), 3,
        Duration.ofSeconds(60), 30, Duration.ofSeconds(5), Duration.ofSeconds(30), 2,
        Duration.ofMinutes(5), false, 100, 500, Duration.ofSeconds(10), Duration.ZERO, DeployLimits.DEFAULT,
        Duration.ofDays(7), Duration.ofMinutes(2), Duration.ZERO, clock);
  }

  private static final Sealer SEALER = new Sealer(SecretEnvNames.DEFAULT, SecretKey.generate());

  /** One sealer for the whole test run, as a node has one key. */
  static Sealer sealer() {
    return SEALER;
  }
}
