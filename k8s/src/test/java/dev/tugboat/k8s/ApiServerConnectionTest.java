package dev.tugboat.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ApiServerConnectionTest {

  @Test
  void theDotsEnvConnectionTrustsTheServerAndSendsItsToken() {
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl("https://k8s.example:6443")
        .withOauthToken("dots-token").withTrustCerts(true).withDisableHostnameVerification(true)
        .withNamespace("other").build();
    ApiServerConnection c = ApiServerConnection.of(config, "dots");
    assertEquals(URI.create("https://k8s.example:6443/"), c.server());
    assertEquals("dots", c.namespace());
    assertFalse(c.verifyHostname());
    assertTrue(c.tokenRequired());
    assertEquals(Optional.of("dots-token"), c.bearerToken().get());
    assertFalse(c.toString().contains("dots-token"));
  }

  @Test
  void aVerifiedServerWithoutTokenNeedsNone() {
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl("https://k8s.example:6443").withNamespace("ns")
        .build();
    ApiServerConnection c = ApiServerConnection.of(config, "ns");
    assertTrue(c.verifyHostname());
    assertFalse(c.tokenRequired());
    assertEquals(Optional.empty(), c.bearerToken().get());
  }

  @Test
  void aTokenProvidersTokenIsAskedForOffTheRequestPathOncePerInterval() {
    AtomicInteger asked = new AtomicInteger();
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl("https://k8s.example:6443").withNamespace("ns")
        .build();
    config.setOauthTokenProvider(() -> "exec-" + asked.incrementAndGet());
    AtomicLong now = new AtomicLong();
    Deque<Runnable> background = new ArrayDeque<>();
    CurrentToken token = new CurrentToken(config, Duration.ofMinutes(1), now::get, background::add);
    assertEquals(List.of(Optional.of("exec-1"), Optional.of("exec-1")), List.of(token.get(), token.get()));
    now.addAndGet(Duration.ofMinutes(1).toNanos());
    assertEquals(Optional.of("exec-1"), token.get(), "the request that finds the token old does not wait for it");
    assertEquals(1, asked.get(), "the provider was asked on the request path");
    assertEquals(1, background.size());
    background.pop().run();
    assertEquals(Optional.of("exec-2"), token.get());
  }

  @Test
  void aRotatedKubeconfigTokenIsReadInTheBackgroundOncePerInterval() throws Exception {
    Path file = Files.createTempFile("kubeconfig", ".yaml");
    file.toFile().deleteOnExit();
    Files.writeString(file, kubeconfig("kc-token-1"));
    Config config = Config.fromKubeconfig(file.toFile());
    AtomicLong now = new AtomicLong();
    Deque<Runnable> background = new ArrayDeque<>();
    ApiServerConnection c = ApiServerConnection.of(config, "ns", Duration.ofMinutes(1), now::get, background::add);
    assertTrue(c.tokenRequired());
    assertEquals(Optional.of("kc-token-1"), c.bearerToken().get());
    Files.writeString(file, kubeconfig("kc-token-2"));
    now.addAndGet(Duration.ofSeconds(30).toNanos());
    assertEquals(Optional.of("kc-token-1"), c.bearerToken().get());
    assertTrue(background.isEmpty(), "read again before the interval");
    now.addAndGet(Duration.ofSeconds(31).toNanos());
    assertEquals(Optional.of("kc-token-1"), c.bearerToken().get(), "the file was read on the request path");
    assertEquals(Optional.of("kc-token-1"), c.bearerToken().get());
    assertEquals(1, background.size(), "one read at a time");
    background.pop().run();
    assertEquals(Optional.of("kc-token-2"), c.bearerToken().get());
    // A kubeconfig that can no longer be read keeps the token read before.
    Files.writeString(file, "not: [a kubeconfig");
    now.addAndGet(Duration.ofMinutes(2).toNanos());
    c.bearerToken().get();
    background.pop().run();
    assertEquals(Optional.of("kc-token-2"), c.bearerToken().get());
  }

  private static String kubeconfig(String token) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: c
          cluster:
            server: https://k8s.example:6443
        users:
        - name: u
          user:
            token: %s
        contexts:
        - name: ctx
          context:
            cluster: c
            user: u
            namespace: ns
        current-context: ctx
        """.formatted(token);
  }
}
