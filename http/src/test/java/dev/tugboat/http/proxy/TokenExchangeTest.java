package dev.tugboat.http.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.http.TestAccess;
import dev.tugboat.http.auth.Access;
import dev.tugboat.http.auth.Identity;
import dev.tugboat.http.auth.Principal;
import dev.tugboat.http.auth.SessionCookies;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Authorization;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.SetCookie;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TokenExchangeTest {
  private final Access access = TestAccess.create(false);
  private final TokenExchange exchange = new TokenExchange(access.authenticator(), access.sessionTtl());
  private final Principal ops =
      ((Identity.Known) access.authenticator().byToken(TestAccess.OPERATOR_TOKEN)).principal();

  @ParameterizedTest(name = "?{0} -> token {1}, rest \"{2}\"")
  @CsvSource(delimiter = '|', value = {
      "token=abc|abc|''",
      "a=1&token=a%2Bb&b=2|a+b|?a=1&b=2",
      "token|''|''",
      "a=1&&token=x&token=y|x|?a=1",
      "tokens=1|<none>|?tokens=1"})
  void theTokenParameterIsReadAndLeftOutOfTheQuery(String query, String token, String rest) {
    assertEquals("<none>".equals(token) ? Optional.empty() : Optional.of(token),
        TokenExchange.tokenParameter(Optional.of(query)));
    assertEquals(rest, TokenExchange.withoutToken(Optional.of(query)));
  }

  @Test
  void noQueryHasNoToken() {
    assertEquals(Optional.empty(), TokenExchange.tokenParameter(Optional.empty()));
    assertEquals("", TokenExchange.withoutToken(Optional.empty()));
  }

  @Test
  void aGetIsRedirectedWithoutTheTokenAndGetsACookieOfTheServicesScopeUnderItsPrefix() {
    ProxyAddress address = ProxyAddress.ofPath("/lab/tree").orElseThrow();
    HttpResponse r = exchange.exchange(HttpRequest.GET("http://tugboat.example/lab/tree?x=1&token=t"), address,
        Optional.of("x=1&token=t"), ops, 8888);
    assertEquals(303, r.status().intValue());
    assertEquals("/lab/tree?x=1", r.getHeader(Location.class).orElseThrow().getUri().toString());
    var cookie = r.getHeader(SetCookie.class).orElseThrow().cookie();
    assertEquals(ServiceAccess.COOKIE, cookie.name());
    assertEquals(Optional.of("/lab"), cookie.getPath());
    assertFalse(cookie.secure());
    assertTrue(cookie.httpOnly());
    SessionCookies cookies = access.authenticator().cookies();
    assertTrue(cookies.tokenHash(cookie.value(), SessionCookies.serviceScope("lab")).isPresent());
    assertTrue(cookies.tokenHash(cookie.value(), SessionCookies.serviceScope("other")).isEmpty(),
        "another service's scope");
  }

  @Test
  void aPostBehindHttpsIsRedirectedWith307AndASecureCookieForTheWholeHost() {
    ProxyAddress address = ProxyAddress.ofHost("lab-8888.apps.example.com", "apps.example.com", "/x").orElseThrow();
    HttpResponse r = exchange.exchange(HttpRequest.create("http://lab-8888.apps.example.com/x?token=t")
            .withMethod(HttpMethods.POST).addHeader(RawHeader.create("X-Forwarded-Proto", "https")),
        address, Optional.of("token=t"), ops, 8888);
    assertEquals(307, r.status().intValue());
    assertEquals("/x", r.getHeader(Location.class).orElseThrow().getUri().toString());
    var cookie = r.getHeader(SetCookie.class).orElseThrow().cookie();
    assertEquals(Optional.of("/"), cookie.getPath());
    assertTrue(cookie.secure());
  }

  @Test
  void onlyATugboatBearerTokenCountsAsOne() {
    assertTrue(exchange.carriesTugboatToken(HttpRequest.GET("/lab/")
        .addHeader(Authorization.oauth2(TestAccess.OPERATOR_TOKEN))));
    assertFalse(exchange.carriesTugboatToken(HttpRequest.GET("/lab/")
        .addHeader(Authorization.oauth2("the-services-own"))));
    assertFalse(exchange.carriesTugboatToken(HttpRequest.GET("/lab/")));
  }
}
