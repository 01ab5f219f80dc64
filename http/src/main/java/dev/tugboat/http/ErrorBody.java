package dev.tugboat.http;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The JSON body of every error response: what went wrong and, when one is involved, the id. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorBody(String error, String id) {

  public static ErrorBody of(String error) {
    return new ErrorBody(error, null);
  }
}
