package dev.tugboat.persistence;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the event stream's journal reader ({@link LifecycleEventFeed}), read once from
 * {@code tugboat.events}; a bad value fails at start-up naming its key.
 *
 * @param pollInterval how often the node's one reader asks each journal table for new rows
 * @param gapTimeout how long a missing ordering is waited for before it is taken as never coming
 * @param markInterval how often an idle reader tells its clients where it stands (a resuming
 *     client starts within this long when nothing happens)
 * @param pageSize rows read per query
 * @param clientBuffer events held for one slow client before it is dropped (it resumes by id)
 * @param connections the reader's own pool on the journal database
 */
public record EventFeedSettings(Duration pollInterval, Duration gapTimeout, Duration markInterval, int pageSize,
    int clientBuffer, int connections) {

  public EventFeedSettings {
    positive("poll-interval", pollInterval);
    positive("mark-interval", markInterval);
    if (gapTimeout == null || gapTimeout.isNegative()) {
      throw new IllegalArgumentException("tugboat.events.gap-timeout must not be negative, got " + gapTimeout);
    }
    atLeastOne("page-size", pageSize);
    atLeastOne("client-buffer", clientBuffer);
    atLeastOne("connections", connections);
  }

  public static EventFeedSettings fromConfig(Config config) {
    Config c = config.getConfig("tugboat.events");
    return new EventFeedSettings(c.getDuration("poll-interval"), c.getDuration("gap-timeout"),
        c.getDuration("mark-interval"), c.getInt("page-size"), c.getInt("client-buffer"), c.getInt("connections"));
  }

  private static void positive(String key, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("tugboat.events." + key + " must be positive, got " + d);
    }
  }

  private static void atLeastOne(String key, int value) {
    if (value < 1) {
      throw new IllegalArgumentException("tugboat.events." + key + " must be >= 1, got " + value);
    }
  }
}
