package dev.tugboat.node;

/**
 * A node cannot start as configured. The message is the one line an operator needs (what is
 * wrong and which setting to change); {@code run} prints it and exits 2, without a stack trace.
 */
public final class StartRefused extends RuntimeException {
  public StartRefused(String message) {
    super(message);
  }
}
