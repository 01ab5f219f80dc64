package dev.tugboat.persistence;

import java.util.List;
import java.util.stream.IntStream;

/**
 * The fixed slices of the notification projection: every event of a simulation that queues a
 * notification carries the tag {@code simulation-notifications-<n>}, n = the simulation id's
 * String hash modulo {@code count}. One projection instance reads each tag, so a simulation's
 * notifications stay in journal order. The count must never change on a running deployment: the
 * events already journaled keep their tags, and a simulation would move to another slice halfway.
 */
public record NotificationTags(int count) {

  public static final String PREFIX = "simulation-notifications-";

  public NotificationTags {
    if (count < 1) {
      throw new IllegalArgumentException("tugboat.notifications.tag-count must be >= 1, got " + count);
    }
  }

  /** The slice of a simulation; String.hashCode is specified, so it is the same on every node and JVM. */
  public int sliceOf(String simulationId) {
    return Math.floorMod(simulationId.hashCode(), count);
  }

  public String tagFor(String simulationId) {
    return tag(sliceOf(simulationId));
  }

  public String tag(int slice) {
    if (slice < 0 || slice >= count) {
      throw new IllegalArgumentException("slice " + slice + " outside 0.." + (count - 1));
    }
    return PREFIX + slice;
  }

  /** Every tag, in slice order. */
  public List<String> all() {
    return IntStream.range(0, count).mapToObj(this::tag).toList();
  }
}
