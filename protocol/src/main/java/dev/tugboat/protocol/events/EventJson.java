package dev.tugboat.protocol.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The event stream's {@code data} line of a {@link LifecycleEvent}: one line of JSON, instants as
 * ISO-8601 strings, absent fields left out. Written once per event where it is read from the
 * journal, so a node's clients share one rendering instead of making one each.
 */
public final class EventJson {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .build();

  private EventJson() {}

  /** The JSON of {@code event}; Jackson escapes line breaks inside strings, so it is one line. */
  public static String write(LifecycleEvent event) {
    try {
      return MAPPER.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a lifecycle event as JSON", e);
    }
  }
}
