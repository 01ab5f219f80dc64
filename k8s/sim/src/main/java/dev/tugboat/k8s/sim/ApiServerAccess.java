package dev.tugboat.k8s.sim;

/**
 * How clients reach the simulated API server: plain http with no authentication (tests, demo,
 * the in-process benchmarks), or https with a self-signed certificate and a bearer token that
 * every request but the simulated kubelet's must carry, as a DOTS deployment's API server is
 * reached (KUBERNETES_HOST, KUBERNETES_PORT, KUBERNETES_API_TOKEN).
 */
public record ApiServerAccess(boolean https, String bearerToken) {

  public ApiServerAccess {
    if (bearerToken == null) {
      throw new IllegalArgumentException("bearerToken must not be null (empty for none)");
    }
    if (!bearerToken.isEmpty() && !https) {
      throw new IllegalArgumentException("a bearer token is only sent over https");
    }
  }

  /** Plain http, no token. */
  public static ApiServerAccess plain() {
    return new ApiServerAccess(false, "");
  }

  /** https with a self-signed certificate, requests refused with 401 unless they carry {@code token}. */
  public static ApiServerAccess httpsWithToken(String token) {
    if (token.isBlank()) {
      throw new IllegalArgumentException("the bearer token must not be blank");
    }
    return new ApiServerAccess(true, token);
  }

  boolean requiresToken() {
    return !bearerToken.isEmpty();
  }
}
