package dev.tugboat.http.proxy;

import java.time.Duration;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells {@link ServiceEndpoints#reportLoad} this node's in-flight counts per replica every report
 * interval while a service has traffic, and once when it falls to none. Runs on the system's
 * scheduler, off the request path; a failing report is logged and the next one goes out as usual.
 */
public final class LoadReporter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LoadReporter.class);

  private final ReplicaDispatch dispatch;
  private final ServiceEndpoints endpoints;
  private final Cancellable schedule;

  /** Starts reporting every {@code interval}. */
  public LoadReporter(ActorSystem<?> system, ReplicaDispatch dispatch, ServiceEndpoints endpoints, Duration interval) {
    this.dispatch = dispatch;
    this.endpoints = endpoints;
    this.schedule = system.scheduler().scheduleWithFixedDelay(interval, interval, this::report,
        system.executionContext());
  }

  /** One round of reports; the scheduler calls it. */
  void report() {
    dispatch.drainReports((service, counts) -> {
      try {
        endpoints.reportLoad(service, counts);
      } catch (RuntimeException e) {
        LOG.warn("proxy {}: reporting the load {} failed: {}", service, counts, e.toString());
      }
    });
  }

  @Override
  public void close() {
    schedule.cancel();
  }
}
