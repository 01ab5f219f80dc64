package dev.tugboat.k8s.sim;

import java.util.Locale;

/**
 * The images the simulated kubelet can "pull", by repository name (the last path segment, without
 * tag or digest; any registry): {@code fake_model*} runs the DOTS fake model, {@code busybox} a
 * container that exits 0 after its run time, {@code echo-service} (e.g. {@code tugboat/echo-service})
 * a hosted service's echo server ({@link EchoService}); any other image cannot be pulled, and its container
 * waits with reason ErrImagePull, then ImagePullBackOff, as a real kubelet's does for an image no
 * registry has (docs/operations.md, "The simulated Kubernetes").
 */
enum SimulatedImages {
  /** Runs the {@link FakeModel}. */
  FAKE_MODEL,
  /** Runs a container that never reports ready and exits 0 after its run time. */
  SLEEPER,
  /** Runs an {@link EchoService}: a long-lived HTTP and WebSocket server on the pod's own address. */
  ECHO_SERVICE,
  /** Cannot be pulled: the container never starts. */
  NOT_PULLABLE;

  /** What the simulated kubelet does with {@code image}. */
  static SimulatedImages of(String image) {
    String repository = repository(image);
    if (repository.startsWith("fake_model")) {
      return FAKE_MODEL;
    }
    if (repository.equals("echo-service")) {
      return ECHO_SERVICE;
    }
    return repository.equals("busybox") ? SLEEPER : NOT_PULLABLE;
  }

  /** The repository's name: the last path segment, without tag or digest, lower-cased. */
  static String repository(String image) {
    if (image == null) {
      return "";
    }
    String s = image.strip();
    int digest = s.indexOf('@');
    if (digest >= 0) {
      s = s.substring(0, digest);
    }
    s = s.substring(s.lastIndexOf('/') + 1);
    int tag = s.indexOf(':');
    return (tag >= 0 ? s.substring(0, tag) : s).toLowerCase(Locale.ROOT);
  }
}
