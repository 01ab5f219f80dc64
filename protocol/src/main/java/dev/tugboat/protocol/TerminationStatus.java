package dev.tugboat.protocol;

/** How a model ended: SUCCEEDED iff its container exited with code 0 (DOTS: SUCCESSFULL). */
public enum TerminationStatus {
  SUCCEEDED,
  FAILED;

  public static TerminationStatus ofExitCode(int exitCode) {
    return exitCode == 0 ? SUCCEEDED : FAILED;
  }
}
