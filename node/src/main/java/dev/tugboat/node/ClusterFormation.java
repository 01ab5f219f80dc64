package dev.tugboat.node;

import com.typesafe.config.Config;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a node joins its cluster: through Pekko Management Cluster Bootstrap (Kubernetes API
 * discovery), through configured seed nodes, or on its own. Management (health and cluster
 * endpoints) is served with bootstrap, or when switched on.
 */
final class ClusterFormation {
  private static final Logger log = LoggerFactory.getLogger(ClusterFormation.class);

  private ClusterFormation() {}

  /**
   * The bootstrap method, after checking it and the seed nodes' addresses; throws
   * IllegalArgumentException naming the variable otherwise.
   */
  static String checkBootstrap(Config config) {
    Config c = config.getConfig("tugboat.cluster");
    String bootstrap = c.getString("bootstrap").trim().toLowerCase(Locale.ROOT);
    if (!bootstrap.equals("none") && !bootstrap.equals("kubernetes-api")) {
      throw new IllegalArgumentException(
          "tugboat.cluster.bootstrap (TUGBOAT_CLUSTER_BOOTSTRAP) must be none or kubernetes-api, not '" + bootstrap + "'");
    }
    for (String seed : seeds(c)) {
      try {
        AddressFromURIString.parse(seed);
      } catch (Exception e) { // MalformedURLException, undeclared by the Scala method
        throw new IllegalArgumentException("tugboat.cluster.seed-nodes (TUGBOAT_SEED_NODES) has '" + seed
            + "', not an address such as pekko://tugboat@10.0.0.1:25520");
      }
    }
    return bootstrap;
  }

  private static List<String> seeds(Config c) {
    return Arrays.stream(c.getString("seed-nodes").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  static void start(ActorSystem<?> system, Config config) {
    Config c = config.getConfig("tugboat.cluster");
    String bootstrap = checkBootstrap(config);
    if (bootstrap.equals("kubernetes-api") || c.getBoolean("management")) {
      PekkoManagement.get(system.classicSystem()).start().toCompletableFuture().join();
    }
    Cluster cluster = Cluster.get(system);
    if (bootstrap.equals("kubernetes-api")) {
      log.info("joining the cluster through Cluster Bootstrap (Kubernetes API discovery)");
      ClusterBootstrap.get(system.classicSystem()).start();
      return;
    }
    List<String> seeds = seeds(c);
    if (seeds.isEmpty()) {
      seeds = config.getStringList("pekko.cluster.seed-nodes");
      if (!seeds.isEmpty()) {
        return; // Pekko joins the configured seed nodes by itself.
      }
      log.info("no seed nodes configured: forming a cluster of this node alone");
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      return;
    }
    log.info("joining the cluster through seed nodes {}", seeds);
    cluster.manager().tell(new JoinSeedNodes(seeds.stream().map(AddressFromURIString::parse).toList()));
  }
}
