package dev.tugboat.http;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;

/** Binds a test's routes on a free local port, and stops them together with the test kit. */
final class TestServer {
  private TestServer() {}

  static ServerBinding bind(ActorTestKit testKit, TugboatRoutes routes) throws Exception {
    return Http.get(testKit.system()).newServerAt("127.0.0.1", 0).bind(routes.route())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static void stop(ActorTestKit testKit, ServerBinding binding) throws Exception {
    binding.terminate(Duration.ofSeconds(1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    testKit.shutdownTestKit();
  }
}
