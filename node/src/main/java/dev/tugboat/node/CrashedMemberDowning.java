package dev.tugboat.node;

import com.typesafe.config.Config;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.remote.RARP;
import scala.Option;

/**
 * Downs a cluster member whose process is gone, seconds before the failure detector and the split
 * brain resolver would (~5 s to mark it unreachable, then stable-after, 5 s): every
 * {@code interval} it opens a TCP connection to each other Up member's remoting port, and a member
 * whose port refused {@code refusals} connections in a row is downed, but only while this node and
 * the members it still sees are a majority of the cluster without it (the side keep-majority keeps),
 * and its incarnation is quarantined so that the leader removes it without waiting either.
 *
 * <p>A refused connection (a TCP reset) means no process listens on that address: the member was
 * killed, crashed or OOM-killed, and its host (or its container's network namespace) is still
 * there to say so. A member that is merely slow, partitioned away or on a lost machine does not
 * answer at all; that is left to the failure detector and the split brain resolver, as before.
 * The one network that answers for a live process is a firewall rejecting with resets; there
 * the minority side still downs itself after stable-after, and until then the journal's primary
 * key refuses a second writer of an entity (docs/operations.md, "When a node is lost").
 */
final class CrashedMemberDowning {

  /** Messages of the actor. */
  sealed interface Command {}

  private enum Tick implements Command { INSTANCE }

  private record Probed(Address member, Outcome outcome) implements Command {}

  /** What one connection attempt to a member's remoting port found. */
  enum Outcome {
    /** The port took the connection: the process is there. */
    ACCEPTED,
    /** Refused (reset): nothing listens on that address. */
    REFUSED,
    /** No answer in time, or another network error: says nothing about the process. */
    NO_ANSWER
  }

  /** From {@code tugboat.cluster.down-crashed-members}. */
  record Settings(boolean enabled, Duration interval, int refusals, Duration connectTimeout) {
    Settings {
      if (refusals < 1 || interval.isNegative() || interval.isZero() || connectTimeout.isNegative()
          || connectTimeout.isZero()) {
        throw new IllegalArgumentException("tugboat.cluster.down-crashed-members: refusals must be at least 1, "
            + "interval and connect-timeout positive");
      }
    }

    static Settings fromConfig(Config config) {
      Config c = config.getConfig("tugboat.cluster.down-crashed-members");
      return new Settings(c.getBoolean("enabled"), c.getDuration("interval"), c.getInt("refusals"),
          c.getDuration("connect-timeout"));
    }
  }

  private final ActorContext<Command> ctx;
  private final Cluster cluster;
  private final Settings settings;
  private final ExecutorService probes;
  private final Map<Address, Integer> refusedInARow = new HashMap<>();
  private final Set<Address> inFlight = new HashSet<>();
  private final Set<Address> downed = new HashSet<>();
  /** Refusing members left to the resolver for want of a majority, logged once each. */
  private final Set<Address> leftToResolver = new HashSet<>();

  private CrashedMemberDowning(ActorContext<Command> ctx, Settings settings, ExecutorService probes) {
    this.ctx = ctx;
    this.cluster = Cluster.get(ctx.getSystem());
    this.settings = settings;
    this.probes = probes;
  }

  static Behavior<Command> create(Settings settings) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      // Connects block for up to connect-timeout: on a thread of their own, never the dispatcher's.
      ExecutorService probes = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tugboat-member-probe");
        t.setDaemon(true);
        return t;
      });
      timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.interval());
      return new CrashedMemberDowning(ctx, settings, probes).behavior();
    }));
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessageEquals(Tick.INSTANCE, this::probeMembers)
        .onMessage(Probed.class, this::probed)
        .onSignal(PostStop.class, s -> {
          probes.shutdownNow();
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<Command> probeMembers() {
    CurrentClusterState state = cluster.state();
    Address self = cluster.selfMember().address();
    Set<Address> probed = new HashSet<>();
    for (Member m : state.getMembers()) {
      Address a = m.address();
      if (a.equals(self) || !probeable(m.status()) || downed.contains(a)) {
        continue;
      }
      probed.add(a);
      if (inFlight.add(a)) {
        ctx.pipeToSelf(CompletableFuture.supplyAsync(() -> probe(a, settings.connectTimeout()), probes),
            (outcome, failure) -> new Probed(a, outcome != null ? outcome : Outcome.NO_ANSWER));
      }
    }
    refusedInARow.keySet().retainAll(probed);
    leftToResolver.retainAll(refusedInARow.keySet());
    downed.retainAll(addresses(state.getMembers()));
    return Behaviors.same();
  }

  private Behavior<Command> probed(Probed p) {
    inFlight.remove(p.member());
    if (p.outcome() != Outcome.REFUSED) {
      refusedInARow.remove(p.member());
      return Behaviors.same();
    }
    int refused = refusedInARow.merge(p.member(), 1, Integer::sum);
    if (refused < settings.refusals() || downed.contains(p.member())) {
      return Behaviors.same();
    }
    CurrentClusterState state = cluster.state();
    Member member = StreamSupport.stream(state.getMembers().spliterator(), false)
        .filter(m -> m.address().equals(p.member())).findFirst().orElse(null);
    if (member == null || !probeable(member.status())) {
      return Behaviors.same();
    }
    Set<Address> lost = new HashSet<>(addresses(state.getUnreachable()));
    lost.addAll(refusedInARow.keySet());
    if (!majorityWithout(statuses(state.getMembers()), lost)) {
      if (!leftToResolver.add(p.member())) {
        return Behaviors.same();
      }
      ctx.getLog().warn("member {} refused {} connections in a row, but without it and the {} other member(s) this "
          + "node cannot reach this side is no majority; leaving it to the split brain resolver", p.member(), refused,
          lost.size() - 1);
      return Behaviors.same();
    }
    ctx.getLog().warn("member {} ({}) refused {} connections in a row to its remoting port: its process is gone; "
        + "downing it now rather than after the failure detector and the split brain resolver's stable-after",
        p.member(), member.status(), refused);
    downed.add(p.member());
    cluster.manager().tell(new Down(p.member()));
    quarantine(member);
    return Behaviors.same();
  }

  /**
   * The leader removes a downed member only once it is unreachable too, and the failure detector
   * would take its ~5 s for that. Quarantining the dead incarnation marks it terminated at once
   * (the cluster treats a quarantined member as unreachable), so it is removed on the leader's
   * next round and its shards move. Pekko has no public API for this: it is the remoting's own
   * quarantine, which would happen anyway as the member is removed. Should it fail, the failure
   * detector still gets there.
   */
  private void quarantine(Member member) {
    try {
      ((RARP) RARP.get(ctx.getSystem().classicSystem())).provider().transport().quarantine(member.address(),
          Option.apply((Object) member.uniqueAddress().longUid()), "its remoting port refuses connections: process gone");
    } catch (RuntimeException e) {
      ctx.getLog().warn("could not quarantine {} ({}); its removal waits for the failure detector", member.address(),
          e.toString());
    }
  }

  /** Members that may be probed and downed here: those that would hold shards. */
  private static boolean probeable(MemberStatus status) {
    return status == MemberStatus.up() || status == MemberStatus.weaklyUp();
  }

  /**
   * True when the members that count (all but those already down, exiting or removed) minus the
   * {@code lost} ones are more than half of them: this side is the one keep-majority keeps.
   */
  static boolean majorityWithout(Map<Address, MemberStatus> members, Set<Address> lost) {
    int counted = 0;
    int healthy = 0;
    for (Map.Entry<Address, MemberStatus> m : members.entrySet()) {
      MemberStatus s = m.getValue();
      if (s == MemberStatus.down() || s == MemberStatus.exiting() || s == MemberStatus.removed()) {
        continue;
      }
      counted++;
      if (!lost.contains(m.getKey())) {
        healthy++;
      }
    }
    return healthy * 2 > counted;
  }

  private static Map<Address, MemberStatus> statuses(Iterable<Member> members) {
    Map<Address, MemberStatus> result = new HashMap<>();
    members.forEach(m -> result.put(m.address(), m.status()));
    return result;
  }

  private static Set<Address> addresses(Iterable<Member> members) {
    Set<Address> result = new HashSet<>();
    members.forEach(m -> result.add(m.address()));
    return result;
  }

  /** One TCP connection attempt to the member's remoting host and port, closed at once. */
  static Outcome probe(Address member, Duration timeout) {
    if (member.getHost().isEmpty() || member.getPort().isEmpty()) {
      return Outcome.NO_ANSWER;
    }
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(member.getHost().get(), (Integer) member.getPort().get()),
          (int) Math.max(1, timeout.toMillis()));
      return Outcome.ACCEPTED;
    } catch (ConnectException e) {
      // Also thrown for an unreachable network; only a reset is proof that nothing listens.
      String message = String.valueOf(e.getMessage());
      return message.startsWith("Connection refused") ? Outcome.REFUSED : Outcome.NO_ANSWER;
    } catch (IOException | RuntimeException e) {
      return Outcome.NO_ANSWER;
    }
  }
}
