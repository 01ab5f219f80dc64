package dev.tugboat.node;

import com.typesafe.config.ConfigFactory;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;

/** {@code tugboat run}: starts a node with the configuration (application.conf + env) and serves until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Start a Tugboat node and serve until SIGTERM/SIGINT.")
final class RunCommand implements Callable<Integer> {

  @Override
  public Integer call() throws Exception {
    TugboatNode node = TugboatNode.start(TugboatNode.loadConfig(ConfigFactory.empty()));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.close();
      stopped.countDown();
    }, "tugboat-shutdown"));
    stopped.await();
    return 0;
  }
}
