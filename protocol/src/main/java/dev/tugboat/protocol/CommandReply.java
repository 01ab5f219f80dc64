package dev.tugboat.protocol;

/**
 * Reply to a command that changes an entity: accepted (and persisted), a duplicate of one whose
 * effect is persisted already, a conflict with what is persisted, or rejected with a reason.
 */
public sealed interface CommandReply extends CborSerializable {

  /** The command's effect is persisted (or it was already, for a repeated command). */
  record Accepted(String detail) implements CommandReply {}

  /**
   * The command repeats one that is persisted already (e.g. a DeployModels re-sent for a deployed
   * simulation, with the same content): nothing changed. Counted apart from Accepted so that a
   * sender's repeats can be seen.
   */
  record Duplicate(String detail) implements CommandReply {}

  /**
   * The command names something that exists with different content (e.g. a DeployModels for a
   * deployed simulation id with other models): nothing changed. Apart from Rejected so that a
   * door can tell "exists differently" (HTTP 409) from "invalid".
   */
  record Conflict(String reason) implements CommandReply {}

  /** The command was refused; nothing was persisted. */
  record Rejected(String reason) implements CommandReply {}

  static CommandReply accepted() {
    return new Accepted("");
  }
}
