package dev.tugboat.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The settings read from reference.conf, their checks, and a token that never shows. */
class KubernetesSettingsTest {

  @ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"6443, 6443", "'tcp://10.96.0.1:443', 443", "' 8443 ', 8443"})
  void theApiPortIsANumberOrTheServiceLinkKubernetesInjects(String value, int port) {
    assertEquals(port, read("tugboat.kubernetes.port = \"" + value + "\"").port());
  }

  @ParameterizedTest
  @ValueSource(strings = {"tcp://host", "http://x:1", "abc", ""})
  void aPortThatIsNeitherIsRefusedAtStartUp(String value) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> read("tugboat.kubernetes.port = \"" + value + "\""));
    assertTrue(e.getMessage().contains("KUBERNETES_PORT"), e.getMessage());
  }

  private static KubernetesSettings read(String overrides) {
    return KubernetesSettings.fromConfig(ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.defaultReference()).resolve());
  }

  @Test
  void defaults() {
    KubernetesSettings s = read("");
    assertEquals("dots", s.namespace());
    assertEquals("tugboat", s.deploymentId());
    assertEquals(Map.of("type", "worker"), s.nodeSelector());
    assertEquals("", s.imagePullSecret());
    assertEquals("Always", s.imagePullPolicy());
    assertEquals(KubernetesSettings.Mode.DOTS_ENV, s.mode());
    assertEquals("localhost", s.host());
    assertEquals(6443, s.port());
    assertEquals(32, s.maxConcurrentCalls());
    assertEquals(0.0, s.qps());
    assertEquals(50, s.burst());
    assertEquals(new KubernetesSettings.DeletePace(200, 20), s.deletePace());
    assertEquals(new KubernetesSettings.Retry(Duration.ofMillis(200), Duration.ofSeconds(30), Duration.ofMinutes(5)), s.retry());
    assertEquals(Duration.ofSeconds(30), s.callTimeout());
    assertEquals(new KubernetesSettings.Admission(0, 10), s.admission());
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"0, 10", "40, 1", "5, 3"})
  void admissionLimitsAreRead(int maxPods, int raiseAfter) {
    KubernetesSettings s = read("tugboat.kubernetes { max-pods = " + maxPods + ", admission.raise-after = " + raiseAfter + " }");
    assertEquals(new KubernetesSettings.Admission(maxPods, raiseAfter), s.admission());
  }

  @ParameterizedTest
  @ValueSource(strings = {"tugboat.kubernetes.max-pods = -1", "tugboat.kubernetes.admission.raise-after = 0"})
  void badAdmissionLimitsAreRefusedAtStartUp(String override) {
    assertThrows(IllegalArgumentException.class, () -> read(override));
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"0, 1, false", "50, 5, true", "0.5, 1, true"})
  void thePaceOfDeletesIsRead(double qps, int burst, boolean paced) {
    KubernetesSettings s = read("tugboat.kubernetes.deletes { qps = " + qps + ", burst = " + burst + " }");
    assertEquals(new KubernetesSettings.DeletePace(qps, burst), s.deletePace());
    assertEquals(paced, s.deletePace().paced());
  }

  @ParameterizedTest
  @ValueSource(strings = {"tugboat.kubernetes.deletes.qps = -1", "tugboat.kubernetes.deletes.burst = 0"})
  void aBadPaceOfDeletesIsRefusedAtStartUpNamingTheSetting(String override) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(override));
    assertTrue(e.getMessage().contains("tugboat.kubernetes.deletes"), e.getMessage());
  }

  @Test
  void toStringHidesTheToken() {
    KubernetesSettings s = read("tugboat.kubernetes.api-token = \"s3cr3t-token\"");
    assertEquals("s3cr3t-token", s.apiToken());
    assertFalse(s.toString().contains("s3cr3t"), s.toString());
    assertTrue(s.toString().contains("<hidden>"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"dots-env", "kubeconfig", "in-cluster", "simulated", "SIMULATED"})
  void parsesModes(String mode) {
    assertEquals(mode.toLowerCase(), read("tugboat.kubernetes.mode = " + mode).mode().configName());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "tugboat.kubernetes.mode = cloud",
      "tugboat.kubernetes.max-concurrent-calls = 0",
      "tugboat.kubernetes.namespace = \"Not_A_Namespace\"",
      "tugboat.kubernetes.retry.max-backoff = 1ms",
  })
  void rejectsBadSettings(String bad) {
    assertThrows(IllegalArgumentException.class, () -> read(bad));
  }

  @Test
  void dotsEnvWithoutTokenFailsAtStartUp() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> KubernetesClients.create(read("")));
    assertTrue(e.getMessage().contains("KUBERNETES_API_TOKEN"), e.getMessage());
  }

  @Test
  void simulatedModeHasNoRealClient() {
    assertThrows(IllegalStateException.class, () -> KubernetesClients.create(read("tugboat.kubernetes.mode = simulated")));
  }
}
