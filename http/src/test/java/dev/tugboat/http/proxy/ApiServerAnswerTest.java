package dev.tugboat.http.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApiServerAnswerTest {

  private static final String STATUS = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
      + "\"message\":\"%s\",\"reason\":\"R\",\"code\":%d}";

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', value = {
      "401 | Unauthorized         | 502 | false | the Kubernetes API server refused the proxy's credentials (HTTP 401)",
      "403 | pods \\\"p-0\\\" is forbidden: User \\\"system:serviceaccount:dots:tugboat\\\" cannot get resource"
          + " | 502 | false | the Kubernetes API server refused the proxy's credentials (HTTP 403)",
      "404 | pods \\\"p-0\\\" not found | 503 | true | the Kubernetes API server has no pod p-0",
      "503 | error trying to reach service: dial tcp 10.0.0.1:80: connect: connection refused | 502 | true"
          + " | the Kubernetes API server could not reach pod p-0 (HTTP 503)",
  })
  void theApiServersOwnStatusIsTheProxysFailureWithItsMessageOnlyForTheLog(int code, String message, int proxyStatus,
      boolean podFailed, String reason) {
    byte[] body = String.format(STATUS, message, code).getBytes(StandardCharsets.UTF_8);
    String sent = message.replace("\\\"", "\"");
    assertEquals(Optional.of(new ApiServerAnswer.HopFailure(proxyStatus, reason, sent, podFailed)),
        ApiServerAnswer.failure(code, body, "p-0"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "404 | {\"error\":\"no such notebook\"}",
      "401 | {\"kind\":\"Status\",\"apiVersion\":\"v2\"}",
      "503 | not json",
      "401 | []",
  })
  void theReplicasOwnAnswerIsRelayed(int code, String body) {
    assertEquals(Optional.empty(), ApiServerAnswer.failure(code, body.getBytes(StandardCharsets.UTF_8), "p-0"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "401 | application/json | 120     | true",
      "503 | application/json | 65536   | true",
      "503 | application/json | 65537   | false",
      "404 | application/json | -1      | false",
      "404 | text/html        | 100     | false",
      "200 | application/json | 100     | false",
      "400 | application/json | 100     | false",
  })
  void onlyASmallJsonFailureIsLookedAt(int code, String mediaType, long length, boolean looked) {
    assertEquals(looked, ApiServerAnswer.mayBeFailure(code, mediaType, length));
  }
}
