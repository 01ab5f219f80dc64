package dev.tugboat.k8s;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds the fabric8 client for a real cluster from {@link KubernetesSettings}. The client never
 * retries by itself: the {@link KubernetesGateway} owns retries, backoff and their metrics.
 */
public final class KubernetesClients {

  private static final Path SERVICE_ACCOUNT_TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

  private KubernetesClients() {}

  /**
   * The client for the configured mode. Fails at once (IllegalStateException) when the mode
   * cannot work: dots-env without a token, in-cluster outside a pod, or simulated (a simulated
   * Kubernetes makes its own client, and only tugboat-demo.jar carries it).
   */
  public static KubernetesClient create(KubernetesSettings settings) {
    Config config = switch (settings.mode()) {
      case DOTS_ENV -> dotsEnv(settings);
      case KUBECONFIG -> tuned(new ConfigBuilder(Config.autoConfigure(null)), settings);
      case IN_CLUSTER -> {
        if (!Files.isReadable(SERVICE_ACCOUNT_TOKEN)) {
          throw new IllegalStateException("tugboat.kubernetes.mode = in-cluster, but there is no service account token at "
              + SERVICE_ACCOUNT_TOKEN + "; is Tugboat running in a pod?");
        }
        yield tuned(new ConfigBuilder(Config.autoConfigure(null)), settings);
      }
      case SIMULATED -> throw new IllegalStateException("tugboat.kubernetes.mode = simulated has no real cluster: "
          + "the simulated Kubernetes makes its own client, and only tugboat-demo.jar runs it");
    };
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /**
   * Like the DOTS MSO: https://{host}:{port} with the bearer token, trusting the server's
   * certificate without verifying it (the DOTS MSO sets verify_ssl = False). Use kubeconfig or
   * in-cluster mode where the cluster CA should be verified.
   */
  private static Config dotsEnv(KubernetesSettings s) {
    if (s.apiToken().isBlank()) {
      throw new IllegalStateException("tugboat.kubernetes.mode = dots-env needs an API token: set KUBERNETES_API_TOKEN "
          + "(or tugboat.kubernetes.api-token), or choose mode kubeconfig / in-cluster");
    }
    ConfigBuilder b = new ConfigBuilder(Config.empty())
        .withMasterUrl("https://" + s.host() + ":" + s.port())
        .withOauthToken(s.apiToken())
        .withTrustCerts(true)
        .withDisableHostnameVerification(true);
    return tuned(b, s);
  }

  private static Config tuned(ConfigBuilder b, KubernetesSettings s) {
    return b.withNamespace(s.namespace())
        .withRequestTimeout((int) Math.min(Integer.MAX_VALUE, s.callTimeout().toMillis()))
        .withConnectionTimeout((int) Math.min(Integer.MAX_VALUE, s.callTimeout().toMillis()))
        .withRequestRetryBackoffLimit(0)
        .build();
  }

  /**
   * fabric8 builds each client's pod deserializer on first use, and the deserializer of a watch
   * event's object (a resource of any kind, found by its kind) loads its registry of every
   * Kubernetes kind (hundreds of classes, through ServiceLoader): on a fresh node that happens on
   * the client's event loop at the first watch event and holds every response and watch frame back
   * for seconds (vert.x blocked-thread warnings). Call once at start-up, off the event loops: it
   * reads a pod and a watch event of a pod.
   */
  public static void warmUp(io.fabric8.kubernetes.client.utils.KubernetesSerialization serialization) {
    String pod = serialization.asJson(warmUpPod());
    serialization.unmarshal(pod, io.fabric8.kubernetes.api.model.Pod.class);
    serialization.unmarshal("{\"type\":\"ADDED\",\"object\":" + pod + "}",
        io.fabric8.kubernetes.api.model.WatchEvent.class);
  }

  /** A pod with the parts Tugboat's pods have (labels, a container with env, a container status). */
  private static io.fabric8.kubernetes.api.model.Pod warmUpPod() {
    return new io.fabric8.kubernetes.api.model.PodBuilder()
        .withNewMetadata().withName("warm-up").withLabels(java.util.Map.of("a", "b")).endMetadata()
        .withNewSpec().addNewContainer().withName("model").withImage("img").addNewEnv().withName("A").withValue("1")
        .endEnv().endContainer().endSpec()
        .withNewStatus().withPhase("Running").addNewContainerStatus().withName("model").withNewState().withNewRunning()
        .endRunning().endState().endContainerStatus().endStatus()
        .build();
  }
}
