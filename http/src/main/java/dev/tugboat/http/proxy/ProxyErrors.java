package dev.tugboat.http.proxy;

import dev.tugboat.http.ErrorBody;
import dev.tugboat.http.Json;
import java.net.ConnectException;
import java.util.Locale;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.StreamTcpException;

/**
 * The proxy's own answers and how it reads a failed hop: every answer the proxy gives instead of
 * a replica's is a JSON {@link ErrorBody} naming the service, with the trace's
 * {@code traceresponse} when there is one.
 */
final class ProxyErrors {

  private ProxyErrors() {
  }

  /**
   * Whether the replica refused the connection (or its address is unreachable). A connect that
   * timed out is not counted: under load on this node it says more about the node than the replica.
   */
  static boolean refused(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      boolean connectFailed = t instanceof ConnectException
          || t instanceof StreamTcpException && message.contains("connect(");
      if (connectFailed && !message.contains("timeout")) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code type} is {@code failure} or one of its causes. */
  static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  /** The proxy's own answer with {@code status} and a body saying {@code message}. */
  static HttpResponse error(StatusCode status, String message, String service, Optional<TraceParent> trace) {
    byte[] body;
    try {
      body = Json.objectMapper().writeValueAsBytes(new ErrorBody(message, service));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write an error body as JSON", e);
    }
    HttpResponse response = HttpResponse.create().withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
    return trace.map(t -> response.addHeader(RawHeader.create(TraceParent.RESPONSE_HEADER, t.header())))
        .orElse(response);
  }
}
