package dev.tugboat.http;

import com.typesafe.config.Config;

/**
 * The limit on request bodies the control routes read, from {@code tugboat.http}: a body past
 * {@code maxRequestBody} bytes is answered 413 without being read further. Invalid values fail at
 * start-up.
 *
 * @param maxRequestBody bytes of one request body, at most ({@code tugboat.http.max-request-body})
 */
public record RequestLimits(long maxRequestBody) {

  public RequestLimits {
    if (maxRequestBody < 1) {
      throw new IllegalArgumentException("tugboat.http.max-request-body must be positive, was " + maxRequestBody);
    }
  }

  /** Reads {@code tugboat.http.max-request-body} from the root configuration. */
  public static RequestLimits fromConfig(Config root) {
    return new RequestLimits(root.getBytes("tugboat.http.max-request-body"));
  }
}
