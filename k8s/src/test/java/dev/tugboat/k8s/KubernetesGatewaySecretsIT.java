package dev.tugboat.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tugboat.k8s.sim.SimulatedKubernetes;
import dev.tugboat.k8s.sim.SimulatedKubernetesSettings;
import dev.tugboat.protocol.EnvVar;
import dev.tugboat.protocol.PodNames;
import dev.tugboat.protocol.Sealer;
import dev.tugboat.protocol.SecretEnvNames;
import dev.tugboat.protocol.SecretKey;
import dev.tugboat.protocol.ServiceSpec;
import dev.tugboat.protocol.hosted.Access;
import dev.tugboat.protocol.hosted.HostedCommand;
import dev.tugboat.protocol.hosted.HostedPodNames;
import dev.tugboat.protocol.hosted.HostedSpec;
import dev.tugboat.protocol.hosted.PublishedPort;
import dev.tugboat.protocol.hosted.Replicas;
import dev.tugboat.protocol.kubernetes.KubernetesCommand;
import dev.tugboat.protocol.kubernetes.PodCallResult;
import dev.tugboat.protocol.kubernetes.PodSnapshot;
import dev.tugboat.protocol.kubernetes.PodSnapshot.ContainerState;
import dev.tugboat.protocol.service.ServiceCommand;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway against the simulated Kubernetes: a pod (a model's or a hosted replica's) with
 * secret variables gets a Secret of its own, owned by it and deleted with it; the pod spec carries
 * no value; the kubelet hands the container the value once the Secret is there.
 */
class KubernetesGatewaySecretsIT {
  private static final String NS = "dots";
  private static final String PASSWORD = "hunter2-secret";
  private static final AtomicInteger DEPLOYMENTS = new AtomicInteger();

  private static ActorTestKit testKit;
  private static SimulatedKubernetes kube;

  private final Sealer sealer = new Sealer(SecretEnvNames.DEFAULT, SecretKey.generate());
  private ProbeDirectory directory;
  private KubernetesSettings settings;
  private ActorRef<KubernetesCommand> gateway;

  @BeforeAll
  static void startAll() {
    testKit = ActorTestKit.create();
    kube = SimulatedKubernetes.start(SimulatedKubernetesSettings.defaults(NS)
        .withPendingDelay(Duration.ofMillis(50))
        .withModelRunTime(Duration.ofSeconds(30)));
  }

  @AfterAll
  static void stopAll() {
    testKit.shutdownTestKit();
    kube.close();
  }

  @BeforeEach
  void startGateway() {
    directory = new ProbeDirectory(testKit);
    settings = KubernetesGatewayIT.baseSettings("secrets-" + DEPLOYMENTS.incrementAndGet());
    gateway = testKit.spawn(KubernetesGateway.create(settings, kube.client(), directory, new SimpleMeterRegistry(),
        sealer));
  }

  @AfterEach
  void stopGateway() {
    testKit.stop(gateway);
    kube.faults().clear();
  }

  private ServiceSpec spec(String model, EnvVar... env) {
    String simulator = "so-" + settings.deploymentId();
    return sealer.seal(new ServiceSpec(simulator, "sim-s", model, "busybox:latest", List.of(env), 24.0,
        PodNames.podName(simulator, "sim-s", model)));
  }

  private PodCallResult create(ServiceSpec spec) {
    TestProbe<PodCallResult> reply = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.CreatePod(spec, reply.ref()));
    return reply.receiveMessage(Duration.ofSeconds(10));
  }

  private Secret secret(String name) {
    return kube.client().secrets().inNamespace(NS).withName(name).get();
  }

  private PodSnapshot awaitObserved(String podName, ContainerState state, String reason) {
    List<PodSnapshot> seen = new ArrayList<>();
    directory.services.fishForMessage(Duration.ofSeconds(10), "pod " + podName + " in state " + state, m -> {
      if (m instanceof ServiceCommand.PodObserved o && o.pod().podName().equals(podName)
          && o.pod().container() == state && (reason == null || reason.equals(o.pod().reason()))) {
        seen.add(o.pod());
        return FishingOutcomes.complete();
      }
      return FishingOutcomes.continueAndIgnore();
    });
    return seen.get(0);
  }

  @Test
  void aPodWithAPasswordGetsASecretOwnedByItAndItsSpecHoldsNoValue() {
    ServiceSpec spec = spec("m0", new EnvVar("MQTT_HOST", "broker"), new EnvVar("MQTT_PASSWORD", PASSWORD));
    assertEquals(new PodCallResult.Succeeded(spec.podName(), "created, with its Secret"), create(spec));

    Pod pod = kube.client().pods().inNamespace(NS).withName(spec.podName()).get();
    String podJson = Serialization.asJson(pod);
    assertFalse(podJson.contains(PASSWORD), podJson);
    var env = pod.getSpec().getContainers().get(0).getEnv();
    assertEquals("broker", env.get(0).getValue());
    assertNull(env.get(1).getValue());
    assertEquals(spec.podName(), env.get(1).getValueFrom().getSecretKeyRef().getName());
    assertEquals("MQTT_PASSWORD", env.get(1).getValueFrom().getSecretKeyRef().getKey());

    Secret secret = secret(spec.podName());
    assertNotNull(secret);
    assertEquals(PASSWORD, new String(Base64.getDecoder().decode(secret.getData().get("MQTT_PASSWORD")),
        StandardCharsets.UTF_8));
    assertEquals(List.of("MQTT_PASSWORD"), List.copyOf(secret.getData().keySet()));
    OwnerReference owner = secret.getMetadata().getOwnerReferences().get(0);
    assertEquals(List.of("v1", "Pod", spec.podName(), pod.getMetadata().getUid(), false, false),
        List.of(owner.getApiVersion(), owner.getKind(), owner.getName(), owner.getUid(), owner.getController(),
            owner.getBlockOwnerDeletion()));
    assertEquals(settings.deploymentId(), secret.getMetadata().getLabels().get(PodConventions.LABEL_DEPLOYMENT));
    assertEquals("m0", secret.getMetadata().getLabels().get(PodConventions.LABEL_MODEL_ID));

    // The kubelet found the Secret: the container runs.
    awaitObserved(spec.podName(), ContainerState.RUNNING, null);

    // Deleting the pod deletes its Secret (the garbage collector's work).
    TestProbe<PodCallResult> deleted = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.DeletePod(spec.podName(), deleted.ref()));
    assertEquals(new PodCallResult.Succeeded(spec.podName(), "deleted"), deleted.receiveMessage(Duration.ofSeconds(10)));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> secret(spec.podName()) == null);
  }

  /** A hosted service's replica gets its Secret as a model's pod does, labelled as the replica's pod. */
  @Test
  void aHostedReplicaWithAPasswordGetsASecretAndItsSpecHoldsNoValue() {
    HostedSpec spec = sealer.seal(new HostedSpec("vault-" + settings.deploymentId(), "tugboat/echo-service:1",
        List.of(new EnvVar("MODE", "lab"), new EnvVar("DB_PASSWORD", PASSWORD)), List.of(), null,
        List.of(new PublishedPort(18081, Access.PUBLIC, "", "/")), new Replicas(1, 1), Duration.ofMinutes(1), "t"));
    String podName = HostedPodNames.podName(spec.name(), 0, 0);
    TestProbe<PodCallResult> reply = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.CreateHostedPod(spec, 0, 0, reply.ref()));
    assertEquals(new PodCallResult.Succeeded(podName, "created, with its Secret"),
        reply.receiveMessage(Duration.ofSeconds(10)));

    Pod pod = kube.client().pods().inNamespace(NS).withName(podName).get();
    String podJson = Serialization.asJson(pod);
    assertFalse(podJson.contains(PASSWORD), podJson);
    var env = pod.getSpec().getContainers().get(0).getEnv();
    assertEquals("lab", env.get(0).getValue());
    assertNull(env.get(1).getValue());
    assertEquals(List.of(podName, "DB_PASSWORD"), List.of(env.get(1).getValueFrom().getSecretKeyRef().getName(),
        env.get(1).getValueFrom().getSecretKeyRef().getKey()));
    Secret secret = secret(podName);
    assertEquals(PASSWORD, new String(Base64.getDecoder().decode(secret.getData().get("DB_PASSWORD")),
        StandardCharsets.UTF_8));
    assertEquals(pod.getMetadata().getUid(), secret.getMetadata().getOwnerReferences().get(0).getUid());
    assertEquals(spec.name(), secret.getMetadata().getLabels().get(PodConventions.LABEL_HOSTED_SERVICE));

    // The kubelet found the Secret: the replica runs and is ready.
    directory.hosted.fishForMessage(Duration.ofSeconds(10), "replica ready", m ->
        m instanceof HostedCommand.PodObserved o && o.pod().podName().equals(podName) && o.pod().ready()
            ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    gateway.tell(new KubernetesCommand.DeletePod(podName, reply.ref()));
    assertEquals(new PodCallResult.Succeeded(podName, "deleted"), reply.receiveMessage(Duration.ofSeconds(10)));
  }

  /**
   * A Secret the API server refuses to write (no RBAC on Secrets, or a quota on them used up) would
   * leave the pod waiting for it for good: the pod is deleted and the create fails, for the
   * replica's or model's owner to see; a quota on Secrets is no reason to queue for the pods' quota.
   */
  @Test
  void aSecretThatCannotBeWrittenFailsTheCreateAndDeletesItsPod() {
    kube.faults().refuseSecretWrites("secrets is forbidden: User \"system:serviceaccount:dots:tugboat\" cannot"
        + " create resource \"secrets\" in API group \"\" in the namespace \"dots\"");
    HostedSpec hosted = sealer.seal(new HostedSpec("norbac-" + settings.deploymentId(), "tugboat/echo-service:1",
        List.of(new EnvVar("DB_PASSWORD", PASSWORD)), List.of(), null, List.of(), new Replicas(1, 1),
        Duration.ofMinutes(1), "t"));
    String replica = HostedPodNames.podName(hosted.name(), 0, 0);
    TestProbe<PodCallResult> reply = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.CreateHostedPod(hosted, 0, 0, reply.ref()));
    PodCallResult.Failed forbidden = assertInstanceOf(PodCallResult.Failed.class,
        reply.receiveMessage(Duration.ofSeconds(10)));
    assertEquals(403, forbidden.httpStatus());
    assertTrue(forbidden.reason().contains("Secret could not be written") && forbidden.reason().contains("forbidden"),
        forbidden.reason());
    Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> kube.client().pods().inNamespace(NS).withName(replica).get() == null);

    kube.faults().refuseSecretWrites("exceeded quota: secrets-quota, requested: secrets=1, used: secrets=10,"
        + " limited: secrets=10");
    ServiceSpec model = spec("m5", new EnvVar("MQTT_PASSWORD", PASSWORD));
    PodCallResult.Failed quota = assertInstanceOf(PodCallResult.Failed.class, create(model));
    assertTrue(quota.reason().contains("exceeded quota"), quota.reason());
    Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> kube.client().pods().inNamespace(NS).withName(model.podName()).get() == null);
  }

  /** A replica whose sealed value this node cannot open is not created: its create fails, naming why. */
  @Test
  void aHostedReplicaSealedUnderAnotherKeyIsNotCreated() {
    Sealer other = new Sealer(SecretEnvNames.DEFAULT, SecretKey.generate());
    HostedSpec spec = other.seal(new HostedSpec("lost-" + settings.deploymentId(), "tugboat/echo-service:1",
        List.of(new EnvVar("DB_PASSWORD", PASSWORD)), List.of(), null, List.of(), new Replicas(1, 1),
        Duration.ofMinutes(1), "t"));
    TestProbe<PodCallResult> reply = testKit.createTestProbe();
    gateway.tell(new KubernetesCommand.CreateHostedPod(spec, 0, 0, reply.ref()));
    PodCallResult.Failed failed = assertInstanceOf(PodCallResult.Failed.class,
        reply.receiveMessage(Duration.ofSeconds(10)));
    assertTrue(failed.reason().contains("sealed under key " + other.keyId()), failed.reason());
    assertNull(kube.client().pods().inNamespace(NS).withName(HostedPodNames.podName(spec.name(), 0, 0)).get());
  }

  @Test
  void aPodWithoutSecretsGetsNoSecret() {
    ServiceSpec spec = spec("m1", new EnvVar("MQTT_HOST", "broker"));
    assertEquals(new PodCallResult.Succeeded(spec.podName(), "created"), create(spec));
    assertNull(secret(spec.podName()));
  }

  @Test
  void aCreateRetriedAfterA409StillEndsWithTheSecret() {
    ServiceSpec spec = spec("m2", new EnvVar("MQTT_PASSWORD", PASSWORD));
    // An earlier attempt created the pod and its answer was lost: the create finds it (409, ours).
    kube.client().pods().inNamespace(NS).resource(new PodFactory(settings).podFor(spec)).create();
    assertEquals(new PodCallResult.Succeeded(spec.podName(), "already existed, with its Secret"), create(spec));
    Secret secret = secret(spec.podName());
    assertNotNull(secret);
    assertEquals(kube.client().pods().inNamespace(NS).withName(spec.podName()).get().getMetadata().getUid(),
        secret.getMetadata().getOwnerReferences().get(0).getUid());
    // Asked again (the service re-sends): the Secret's own 409 is fine too.
    assertEquals(new PodCallResult.Succeeded(spec.podName(), "already existed, with its Secret"), create(spec));
  }

  @Test
  void aContainerWhoseSecretIsNotThereYetWaitsAndStartsOnceItIs() {
    ServiceSpec spec = spec("m3", new EnvVar("MQTT_PASSWORD", PASSWORD));
    Pod pod = kube.client().pods().inNamespace(NS).resource(new PodFactory(settings).podFor(spec)).create();
    PodSnapshot waiting = awaitObserved(spec.podName(), ContainerState.WAITING, "CreateContainerConfigError");
    assertEquals("Pending", waiting.phase());
    kube.client().secrets().inNamespace(NS).resource(new PodFactory(settings).secretFor(spec, pod,
        sealer.secretValues(spec))).create();
    awaitObserved(spec.podName(), ContainerState.RUNNING, null);
  }

  @Test
  void aGatewayWithoutTheKeyRefusesAPodWithSealedValues() {
    ActorRef<KubernetesCommand> keyless = testKit.spawn(KubernetesGateway.create(settings, kube.client(), directory,
        new SimpleMeterRegistry()));
    try {
      ServiceSpec spec = spec("m4", new EnvVar("MQTT_PASSWORD", PASSWORD));
      TestProbe<PodCallResult> reply = testKit.createTestProbe();
      keyless.tell(new KubernetesCommand.CreatePod(spec, reply.ref()));
      PodCallResult.Failed failed = (PodCallResult.Failed) reply.receiveMessage(Duration.ofSeconds(10));
      assertFalse(failed.reason().contains(PASSWORD));
      assertNull(secret(spec.podName()));
      assertNull(kube.client().pods().inNamespace(NS).withName(spec.podName()).get(), "no pod without its Secret");
    } finally {
      testKit.stop(keyless);
    }
  }
}
