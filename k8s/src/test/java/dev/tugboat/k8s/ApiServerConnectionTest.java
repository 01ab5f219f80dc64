package dev.tugboat.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.net.URI;
import java.time.Duration;
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
  void aTokenProviderIsAskedForEveryRequest() {
    AtomicInteger asked = new AtomicInteger();
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl("https://k8s.example:6443").withNamespace("ns")
        .build();
    config.setOauthTokenProvider(() -> "exec-" + asked.incrementAndGet());
    CurrentToken token = new CurrentToken(config, Duration.ofMinutes(1), () -> 0L);
    assertEquals(List.of(Optional.of("exec-1"), Optional.of("exec-2")), List.of(token.get(), token.get()));
  }

  @Test
  void aKubeconfigsTokenIsReadAgainAtMostOncePerInterval() throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("kubeconfig", ".yaml");
    file.toFile().deleteOnExit();
    java.nio.file.Files.writeString(file, kubeconfig("kc-token-1"));
    Config config = Config.fromKubeconfig(file.toFile());
    AtomicLong now = new AtomicLong();
    CurrentToken token = new CurrentToken(config, Duration.ofMinutes(1), now::get);
    assertEquals(Optional.of("kc-token-1"), token.get());
    java.nio.file.Files.writeString(file, kubeconfig("kc-token-2"));
    now.addAndGet(Duration.ofSeconds(30).toNanos());
    assertEquals(Optional.of("kc-token-1"), token.get());
    now.addAndGet(Duration.ofSeconds(31).toNanos());
    assertEquals(Optional.of("kc-token-2"), token.get());
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

  @Test
  void aTokenSetOnTheClientsConfigurationIsTakenAsItIsNow() {
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl("https://k8s.example:6443").withNamespace("ns")
        .build();
    config.setAutoOAuthToken("sa-token-1");
    AtomicLong now = new AtomicLong();
    CurrentToken token = new CurrentToken(config, Duration.ofMinutes(1), now::get);
    assertEquals(Optional.of("sa-token-1"), token.get());
    // fabric8's own refresh sets the client configuration's token; the next request takes it.
    config.setAutoOAuthToken("sa-token-2");
    now.addAndGet(Duration.ofMinutes(2).toNanos());
    assertEquals(Optional.of("sa-token-2"), token.get());
  }
}
