package dev.tugboat.protocol;

/** Reply to a command that changes an entity: accepted (and persisted) or rejected with a reason. */
public sealed interface CommandReply extends CborSerializable {

  /** The command's effect is persisted (or it was already, for a repeated command). */
  record Accepted(String detail) implements CommandReply {}

  /** The command was refused; nothing was persisted. */
  record Rejected(String reason) implements CommandReply {}

  static CommandReply accepted() {
    return new Accepted("");
  }
}
