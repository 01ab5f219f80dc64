package dev.tugboat.protocol;

/**
 * Exit codes Tugboat reports in ModelHasTerminated when no container exit code exists. They
 * stay clear of the codes a shell or container runtime uses for a real process (0-124, 128+n).
 */
public final class ExitCodes {
  /** The pod could not be created: Kubernetes refused it, or every retry failed. */
  public static final int POD_NOT_CREATED = 125;
  /** The DeployModels request was rejected (invalid or duplicate model configuration). */
  public static final int INVALID_CONFIGURATION = 126;
  /** The pod vanished (deleted by someone else, or its node was lost) before its container ended. */
  public static final int POD_LOST = 127;
  /**
   * An operator terminated the simulation (HTTP DELETE) before the model ended: its pod was
   * deleted. Above 128+64, so no signal's exit status (128+n) is mistaken for it.
   */
  public static final int TERMINATED = 201;

  private ExitCodes() {}
}
