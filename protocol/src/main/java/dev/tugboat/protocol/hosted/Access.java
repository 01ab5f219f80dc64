package dev.tugboat.protocol.hosted;

/** Who may open a published port: anyone (public) or the service's owner and operators (private). */
public enum Access {
  PUBLIC, PRIVATE
}
