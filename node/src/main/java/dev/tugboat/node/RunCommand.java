package dev.tugboat.node;

import com.typesafe.config.ConfigFactory;
import dev.tugboat.persistence.FixedSettings;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;

/**
 * {@code tugboat run}: starts a node with the configuration (application.conf + env) and serves
 * until SIGTERM (graceful leave, exit 0) or until the node's actor system ends (exit 1). A node
 * that cannot start as configured prints why in one line and exits 2.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Start a Tugboat node and serve until SIGTERM/SIGINT.")
final class RunCommand implements Callable<Integer> {
  private final NodeStarter starter;

  RunCommand(NodeStarter starter) {
    this.starter = starter;
  }

  @Override
  public Integer call() throws Exception {
    TugboatNode node;
    try {
      node = starter.start(ConfigFactory.empty());
    } catch (StartRefused | FixedSettings.Changed e) {
      System.err.println("tugboat: " + e.getMessage());
      return 2;
    }
    AtomicBoolean signalled = new AtomicBoolean();
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      signalled.set(true);
      node.close();
      closed.countDown();
    }, "tugboat-shutdown"));
    // A node that was downed by the split brain resolver (or could not join) terminates its actor
    // system; the process must then end too, so Kubernetes restarts it, instead of idling.
    node.system().getWhenTerminated().toCompletableFuture().join();
    if (!signalled.get()) {
      System.err.println("tugboat: the actor system terminated (left or removed from the cluster); exiting");
      return 1;
    }
    closed.await();
    return 0;
  }
}
