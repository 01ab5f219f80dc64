package dev.tugboat.protocol.kubernetes;

import dev.tugboat.protocol.CborSerializable;
import java.util.List;

/** Outcome of reading a container's log. */
public sealed interface PodLogResult extends CborSerializable {

  record Lines(String podName, List<String> lines) implements PodLogResult {
    public Lines {
      lines = List.copyOf(lines);
    }
  }

  record Unavailable(String podName, String reason) implements PodLogResult {}
}
