package dev.tugboat.http.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading the path and host forms, and what is never a service's. */
class ProxyAddressTest {

  @Test
  void thePathFormStripsTheFirstSegment() {
    assertEquals(Optional.of(new ProxyAddress("lab", OptionalInt.empty(), "/lab", "/tree/a%20b")),
        ProxyAddress.ofPath("/lab/tree/a%20b"));
    assertEquals(Optional.of(new ProxyAddress("my-lab", OptionalInt.of(8888), "/my-lab--8888", "/")),
        ProxyAddress.ofPath("/my-lab--8888/"));
    assertEquals(Optional.of(new ProxyAddress("lab", OptionalInt.empty(), "/lab", "")), ProxyAddress.ofPath("/lab"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "", "/api/v1/x", "/health/live", "/metrics", "/dashboard/app.js", "/favicon.ico",
      "/Lab/", "/lab--/", "/lab--0/", "/lab--70000/", "/lab--80a/", "/-lab/", "/lab-/", "/a--b--80/"})
  void pathsThatAreNoServicesAreLeftAlone(String path) {
    assertEquals(Optional.empty(), ProxyAddress.ofPath(path));
  }

  @Test
  void theHostFormNamesServiceAndPortAndKeepsThePath() {
    assertEquals(Optional.of(new ProxyAddress("my-lab", OptionalInt.of(8888), "", "/api/x")),
        ProxyAddress.ofHost("My-Lab-8888.Apps.Example.com", "apps.example.com", "/api/x"));
    assertEquals("/", ProxyAddress.ofHost("lab-80.apps.example.com", "apps.example.com", "").orElseThrow().rest());
    assertTrue(ProxyAddress.ofHost("lab-80.apps.example.com", "apps.example.com", "/").orElseThrow().hostForm());
  }

  @ParameterizedTest
  @ValueSource(strings = {"apps.example.com", "example.com", "lab.apps.example.com", "lab-x.apps.example.com",
      "a.lab-80.apps.example.com", "-80.apps.example.com", "lab-80.apps.example.org", "lab--x-80.apps.example.com"})
  void hostsThatAreNoServicesAreLeftAlone(String host) {
    assertEquals(Optional.empty(), ProxyAddress.ofHost(host, "apps.example.com", "/"));
  }
}
