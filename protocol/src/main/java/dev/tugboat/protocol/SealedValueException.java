package dev.tugboat.protocol;

/**
 * A sealed environment value cannot be opened with this node's key: it was sealed under another
 * key, or it does not authenticate (tampered or corrupt). The message names the variable and the
 * key ids, never a value.
 */
public final class SealedValueException extends RuntimeException {
  public SealedValueException(String message) {
    super(message);
  }
}
