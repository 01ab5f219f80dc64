package dev.tugboat.protocol.hosted;

import dev.tugboat.protocol.CborSerializable;

/**
 * A container port a hosted service publishes through the proxy: who may open it, a label for
 * people, and the path its {@code initialUrl} opens ("/" or e.g. "/lab?token=x"; starts with '/').
 */
public record PublishedPort(int port, Access access, String label, String initialPath) implements CborSerializable {
  public PublishedPort {
    label = label == null ? "" : label;
    initialPath = initialPath == null || initialPath.isEmpty() ? "/" : initialPath;
  }
}
