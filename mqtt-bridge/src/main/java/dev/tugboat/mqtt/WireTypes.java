package dev.tugboat.mqtt;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds a known field sent with the wrong wire type. Protobuf keeps such a field among the
 * unknown fields and reads the real one as its default, so a {@code keepLogsHours} sent as a
 * string would silently become 0: a message with one is refused instead. Fields a newer sender
 * adds (numbers this side does not know) stay ignored, as proto3 intends.
 */
final class WireTypes {

  private WireTypes() {}

  /** The first known field of {@code message} (or of a message inside it) with the wrong wire type. */
  static Optional<String> problem(Message message) {
    for (int number : message.getUnknownFields().asMap().keySet()) {
      FieldDescriptor field = message.getDescriptorForType().findFieldByNumber(number);
      if (field != null) {
        return Optional.of("field '" + field.getName() + "' (" + number + ") of " + message.getDescriptorForType().getName()
            + " has the wrong wire type for a " + field.getType().name().toLowerCase(java.util.Locale.ROOT));
      }
    }
    for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
      if (e.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      List<?> values = e.getKey().isRepeated() ? (List<?>) e.getValue() : List.of(e.getValue());
      for (Object value : values) {
        Optional<String> inner = problem((Message) value);
        if (inner.isPresent()) {
          return inner;
        }
      }
    }
    return Optional.empty();
  }
}
