package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tugboat.node.CrashedMemberDowning.Outcome;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.MemberStatus;
import org.junit.jupiter.api.Test;

class CrashedMemberDowningTest {
  private static final Address A = new Address("pekko", "tugboat", "127.0.0.1", 25520);
  private static final Address B = new Address("pekko", "tugboat", "127.0.0.1", 25521);
  private static final Address C = new Address("pekko", "tugboat", "127.0.0.1", 25522);
  private static final Address D = new Address("pekko", "tugboat", "127.0.0.1", 25523);

  private static Map<Address, MemberStatus> up(Address... members) {
    Map<Address, MemberStatus> m = new LinkedHashMap<>();
    for (Address a : members) {
      m.put(a, MemberStatus.up());
    }
    return m;
  }

  @Test
  void oneLostMemberOfThreeLeavesAMajority() {
    assertTrue(CrashedMemberDowning.majorityWithout(up(A, B, C), Set.of(C)));
  }

  @Test
  void twoLostMembersOfThreeOrHalfOfFourLeaveNone() {
    assertFalse(CrashedMemberDowning.majorityWithout(up(A, B, C), Set.of(B, C)));
    assertFalse(CrashedMemberDowning.majorityWithout(up(A, B, C, D), Set.of(C, D)));
    assertFalse(CrashedMemberDowning.majorityWithout(up(A, B), Set.of(B)), "two nodes: neither side is a majority");
  }

  @Test
  void membersAlreadyOnTheirWayOutDoNotCount() {
    Map<Address, MemberStatus> members = up(A, B);
    members.put(C, MemberStatus.down());
    members.put(D, MemberStatus.exiting());
    assertFalse(CrashedMemberDowning.majorityWithout(members, Set.of(B)));
    members.put(D, MemberStatus.up());
    assertTrue(CrashedMemberDowning.majorityWithout(members, Set.of(B)), "A and D of A, B, D");
  }

  @Test
  void aClosedPortRefusesAnOpenOneAccepts() throws Exception {
    int port;
    try (ServerSocket open = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      port = open.getLocalPort();
      assertEquals(Outcome.ACCEPTED, CrashedMemberDowning.probe(
          new Address("pekko", "tugboat", "127.0.0.1", port), Duration.ofSeconds(1)));
    }
    assertEquals(Outcome.REFUSED, CrashedMemberDowning.probe(
        new Address("pekko", "tugboat", "127.0.0.1", port), Duration.ofSeconds(1)));
  }

  @Test
  void anAddressWithoutHostOrAnUnresolvableHostSaysNothing() {
    assertEquals(Outcome.NO_ANSWER, CrashedMemberDowning.probe(new Address("pekko", "tugboat"), Duration.ofSeconds(1)));
    assertEquals(Outcome.NO_ANSWER, CrashedMemberDowning.probe(
        new Address("pekko", "tugboat", "no-such-host.invalid", 25520), Duration.ofSeconds(1)));
  }

  @Test
  void settingsComeFromTheNodeConfigurationAndAreChecked() {
    CrashedMemberDowning.Settings s = CrashedMemberDowning.Settings.fromConfig(
        ConfigFactory.load());
    assertTrue(s.enabled());
    assertEquals(Duration.ofMillis(500), s.interval());
    assertEquals(2, s.refusals());
    assertThrows(IllegalArgumentException.class,
        () -> new CrashedMemberDowning.Settings(true, Duration.ofMillis(500), 0, Duration.ofSeconds(1)));
  }
}
