package dev.tugboat.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.marshalling.Marshaller;
import org.apache.pekko.http.javadsl.model.RequestEntity;

/**
 * The JSON dialect of the HTTP API: records as objects, instants as ISO-8601 strings, enums by
 * name, Optionals unwrapped. One mapper, shared, because ObjectMapper is thread-safe once built.
 */
public final class Json {

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .addModule(new Jdk8Module())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .build();

  private Json() {}

  /** The mapper the API writes with; clients in tests read with it too. */
  public static ObjectMapper objectMapper() {
    return MAPPER;
  }

  private static final Marshaller<Object, RequestEntity> MARSHALLER = Jackson.marshaller(MAPPER);

  /** The marshaller of any value to an {@code application/json} entity. */
  public static Marshaller<Object, RequestEntity> marshaller() {
    return MARSHALLER;
  }
}
