package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every {@code tugboat_...} name the README and docs/ give is a meter some production module
 * registers (in its Prometheus form: dots and dashes become underscores, counters end in
 * {@code _total}, timers in {@code _seconds}), a table of the shipped schema, or the session cookie.
 */
class DocumentedMetricsTest {

  private static final Path ROOT = Path.of("..");
  private static final List<String> MODULES = List.of("protocol", "persistence", "k8s", "mqtt-bridge", "http", "node");
  /** A meter name where a meter is registered: counter("..."), gauge("..."), X.builder("..."), or a *_METRIC constant. */
  private static final Pattern METER = Pattern.compile(
      "(?:counter|gauge|builder)\\(\\s*\"(tugboat\\.[a-z0-9.-]+)\"|_METRIC\\s*=\\s*\"(tugboat\\.[a-z0-9.-]+)\"");
  private static final Pattern TABLE = Pattern.compile("(?i)table if not exists [a-z]+\\.\"?(tugboat_[a-z0-9_]+)");
  private static final Pattern DOCUMENTED = Pattern.compile("\\b(tugboat_[a-z0-9_]+)");
  private static final List<String> SUFFIXES =
      List.of("", "_total", "_seconds", "_seconds_count", "_seconds_sum", "_seconds_max");
  /** The HTTP session cookie and the proxied services' cookie (docs/http-api.md), not meters. */
  private static final Set<String> COOKIES = Set.of("tugboat_session", "tugboat_service");

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(file.toString(), e);
    }
  }

  private static Set<String> find(Pattern pattern, Stream<Path> files) {
    Set<String> names = new TreeSet<>();
    files.forEach(file -> {
      Matcher m = pattern.matcher(read(file));
      while (m.find()) {
        names.add(m.group(1) != null ? m.group(1) : m.group(2));
      }
    });
    return names;
  }

  private static Stream<Path> walk(Path dir, String suffix) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.toString().endsWith(suffix)).toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(dir.toString(), e);
    }
  }

  /** Registered meters in every Prometheus form they can be scraped or written under. */
  static Set<String> scrapeableNames() {
    Set<String> meters =
        find(METER, MODULES.stream().flatMap(m -> walk(ROOT.resolve(m).resolve("src/main/java"), ".java")));
    assertTrue(meters.contains("tugboat.mqtt.inbound") && meters.contains("tugboat.k8s.calls")
        && meters.contains("tugboat.notifications.abandoned"), "the meter pattern no longer finds meters: " + meters);
    Set<String> names = new TreeSet<>();
    for (String meter : meters) {
      String base = meter.replace('.', '_').replace('-', '_');
      SUFFIXES.forEach(s -> names.add(base + s));
    }
    return names;
  }

  @Test
  void everyMetricTheDocsNameIsRegistered() {
    Set<String> tables = find(TABLE, walk(ROOT.resolve("persistence/src/main/resources/schema"), ".sql"));
    assertTrue(tables.contains("tugboat_settings"), "the table pattern no longer finds tables: " + tables);
    Set<String> documented = find(DOCUMENTED,
        Stream.concat(Stream.of(ROOT.resolve("README.md")), walk(ROOT.resolve("docs"), ".md")));
    documented.removeAll(tables);
    documented.removeAll(COOKIES);
    assertTrue(documented.contains("tugboat_mqtt_inbound_total"), "the docs pattern no longer finds metrics");

    documented.removeAll(scrapeableNames());
    assertEquals(Set.of(), documented, "named in README.md or docs/ but registered by no module");
  }
}
