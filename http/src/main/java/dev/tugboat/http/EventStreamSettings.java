package dev.tugboat.http;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the event stream's HTTP side, read once from {@code tugboat.http.events}.
 *
 * @param heartbeat the longest a client waits without a byte: an SSE comment goes out after this
 *     long without an event, so proxies and clients see the connection alive
 */
public record EventStreamSettings(Duration heartbeat) {

  public EventStreamSettings {
    if (heartbeat == null || heartbeat.isNegative() || heartbeat.isZero()) {
      throw new IllegalArgumentException("tugboat.http.events.heartbeat must be positive, got " + heartbeat);
    }
  }

  public static EventStreamSettings fromConfig(Config root) {
    return new EventStreamSettings(root.getDuration("tugboat.http.events.heartbeat"));
  }
}
