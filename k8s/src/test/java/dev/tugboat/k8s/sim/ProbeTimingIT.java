package dev.tugboat.k8s.sim;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProbeTimingIT {
  @Test
  void timing() throws Exception {
    try (SimulatedKubernetes k = SimulatedKubernetes.start(SimulatedKubernetesSettings.defaults("dots").withModelRunTime(Duration.ofMinutes(5)))) {
      KubernetesClient c = k.client();
      for (int i = 0; i < 20; i++) {
        long t = System.nanoTime();
        c.pods().inNamespace("dots").resource(new PodBuilder().withNewMetadata().withName("p" + i).endMetadata()
            .withNewSpec().addNewContainer().withName("model").withImage("busybox").endContainer().endSpec().build()).create();
        long t1 = System.nanoTime();
        c.pods().inNamespace("dots").withName("p" + i).get();
        long t2 = System.nanoTime();
        c.pods().inNamespace("dots").list();
        long t3 = System.nanoTime();
        System.out.printf("create %d ms get %d ms list %d ms%n", (t1 - t) / 1000000, (t2 - t1) / 1000000, (t3 - t2) / 1000000);
      }
      long t = System.nanoTime();
      var inf = c.pods().inNamespace("dots").inform();
      System.out.printf("inform %d ms%n", (System.nanoTime() - t) / 1000000);
      inf.stop();
    }
  }
}
