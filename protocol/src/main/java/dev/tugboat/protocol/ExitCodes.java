package dev.tugboat.protocol;

/**
 * Exit codes Tugboat reports in ModelHasTerminated when no container exit code exists. They
 * stay clear of the codes a shell or container runtime uses for a real process (0-124, and 128+n
 * for a signal n, at most 128+64 = 192).
 */
public final class ExitCodes {
  /** The pod could not be created: Kubernetes refused it, or every retry failed. */
  public static final int POD_NOT_CREATED = 125;
  /** The DeployModels request was rejected (invalid or duplicate model configuration). */
  public static final int INVALID_CONFIGURATION = 126;
  /** The pod vanished (deleted by someone else, or its node was lost) before its container ended. */
  public static final int POD_LOST = 127;
  /**
   * The pod's container never started: its image could not be pulled (ErrImagePull,
   * ImagePullBackOff, InvalidImageName, ErrImageNeverPull) for image-pull-grace.
   */
  public static final int IMAGE_NOT_PULLED = 200;
  /**
   * An operator terminated the simulation (HTTP DELETE) before the model ended: its pod was
   * deleted. Above 128+64, so no signal's exit status (128+n) is mistaken for it.
   */
  public static final int TERMINATED = 201;

  /** Whether a model that ended with {@code exitCode} never had a container that could have run. */
  public static boolean neverRan(int exitCode) {
    return exitCode == POD_NOT_CREATED || exitCode == IMAGE_NOT_PULLED;
  }

  private ExitCodes() {}
}
