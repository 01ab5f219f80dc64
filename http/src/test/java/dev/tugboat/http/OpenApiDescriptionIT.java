package dev.tugboat.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tugboat.protocol.service.ServiceView;
import dev.tugboat.protocol.simulation.SimulationView;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.InputStream;
import dev.tugboat.http.proxy.ServiceUrls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI description ({@code GET /api/v1/openapi.json}) is valid OpenAPI 3 and agrees with
 * the routes and with docs/http-api.md, both ways:
 * <ul>
 *   <li>every described operation, its path parameters filled with ids the fakes know, is served
 *       (neither 404 nor 405);
 *   <li>on every described path, a method it does not describe is a 405 whose {@code Allow} lists
 *       exactly the described methods, so a method added to a served path must be described;
 *   <li>every path the route classes match ({@code path(...)}, {@code pathPrefix(...)} in
 *       src/main/java, read as written there) is a described path, so a new path must be described;
 *   <li>docs/http-api.md names exactly the described operations in its endpoint headings and table
 *       rows, and every {@code METHOD /path} it mentions anywhere is a described one.
 * </ul>
 */
class OpenApiDescriptionIT {

  private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH");
  private static final Map<String, String> PATH_PARAMETERS = Map.of("simulationId", "sim-1", "modelId", "model-a",
      "file", "app.js", "name", "echo");
  private static final ServiceView RUNNING = new ServiceView("so-1", "sim-1", "model-a", "so-1-sim-1-model-a",
      "img:1", ServiceView.Phase.RUNNING, null, null, null, List.of(), null, Instant.parse("2024-05-01T12:00:00Z"));
  private static final SimulationView SIMULATION = new SimulationView("sim-1", "so-1", SimulationView.Phase.READY,
      null, 1.0, Instant.parse("2024-05-01T12:00:00Z"), List.of(), true, false, 0, List.of());
  private static final Readiness READY =
      () -> CompletableFuture.completedFuture(List.of(Readiness.Check.passed("test")));

  private static ActorTestKit testKit;
  private static ServerBinding binding;
  private static OpenAPI description;
  private static final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void bind() throws Exception {
    testKit = ActorTestKit.create("OpenApiDescriptionIT", ConfigFactory.parseString("pekko.loglevel = WARNING"));
    FakeDirectory directory = new FakeDirectory(testKit,
        Map.of("sim-1", SIMULATION), Map.of("sim-1/model-a", RUNNING));
    TugboatRoutes routes = new TugboatRoutes(testKit.system(),
        new HttpSettings("127.0.0.1", 0, Duration.ofSeconds(2), Duration.ofSeconds(1)), TestAccess.create(false),
        directory, directory, new FakeSimulationList(List.of()), new FakeServiceRecords(), READY, () -> "up 1\n",
        new QuietLifecycleEvents(), new EventStreamSettings(Duration.ofSeconds(10)), new HostedServices(List::of, new FakeServiceEndpoints(),
        new ServiceUrls(URI.create("http://127.0.0.1:8080"), Optional.empty())));
    binding = TestServer.bind(testKit, routes);
    description = parse(served());
  }

  @AfterAll
  static void unbind() throws Exception {
    if (binding != null) {
      binding.terminate(Duration.ofSeconds(1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    testKit.shutdownTestKit();
  }

  @Test
  void theServedDescriptionIsTheResourceAndValidOpenApi3() throws Exception {
    try (InputStream in = OpenApiDescriptionIT.class.getResourceAsStream(OpenApiDocument.RESOURCE)) {
      assertNotNull(in);
      assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), served());
    }
    assertTrue(description.getOpenapi().startsWith("3."), description.getOpenapi());
    assertFalse(operations().isEmpty());
  }

  @Test
  void everyDescribedOperationIsServed() throws Exception {
    List<String> unserved = new ArrayList<>();
    for (String operation : operations()) {
      String method = operation.substring(0, operation.indexOf(' '));
      String path = fill(operation.substring(operation.indexOf(' ') + 1));
      // Only the head is waited for: a stream (server-sent events) never ends its body.
      HttpResponse<InputStream> response = client.send(request(method, path), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        if (response.statusCode() == 404 || response.statusCode() == 405) {
          String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
          if (response.statusCode() == 405 || text.contains("no such resource")) {
            unserved.add(operation + " -> " + response.statusCode() + " " + text);
          }
        }
      }
    }
    assertEquals(List.of(), unserved, "described in openapi.json but not served");
  }

  @Test
  void everyServedMethodOfADescribedPathIsDescribed() throws Exception {
    List<String> disagreements = new ArrayList<>();
    for (Map.Entry<String, PathItem> path : description.getPaths().entrySet()) {
      Set<String> described = path.getValue().readOperationsMap().keySet().stream()
          .map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
      String probe = METHODS.stream().filter(m -> !described.contains(m)).findFirst().orElseThrow();
      HttpResponse<String> response = send(probe, fill(path.getKey()));
      Set<String> allowed = response.headers().firstValue("Allow").stream()
          .flatMap(a -> Arrays.stream(a.split(",")).map(String::trim)).collect(Collectors.toCollection(TreeSet::new));
      if (response.statusCode() != 405 || !allowed.equals(described)) {
        disagreements.add(path.getKey() + ": described " + described + ", " + probe + " answered "
            + response.statusCode() + " with Allow " + allowed);
      }
    }
    assertEquals(List.of(), disagreements);
  }

  @Test
  void everyPathTheRoutesMatchIsDescribed() throws IOException {
    Set<String> described = description.getPaths().keySet().stream()
        .map(p -> p.substring(1).replaceAll("\\{[^}]+}", "{}")).collect(Collectors.toSet());
    List<String> undescribed = new ArrayList<>();
    List<Path> sources;
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      sources = files.filter(f -> f.toString().endsWith(".java")).toList();
    }
    int matched = 0;
    for (Path source : sources) {
      String code = Files.readString(source);
      List<String> prefixes = RouteSource.templates(code, "pathPrefix");
      List<String> paths = RouteSource.templates(code, "path");
      if (code.contains("pathEnd(")) {
        paths = new ArrayList<>(paths);
        paths.add("");
      }
      for (String path : paths) {
        matched++;
        boolean found = !path.isEmpty() && described.contains(path)
            || prefixes.stream().anyMatch(p -> described.contains(path.isEmpty() ? p : p + "/" + path));
        if (!found) {
          undescribed.add(source.getFileName() + ": " + (path.isEmpty() ? prefixes + " (pathEnd)" : path));
        }
      }
    }
    assertTrue(matched >= operations().stream().map(o -> o.substring(o.indexOf(' '))).distinct().count(),
        "the route sources were not read: " + matched + " paths found");
    assertEquals(List.of(), undescribed, "matched by a route but not in openapi.json");
  }

  @Test
  void theDocsNameExactlyTheDescribedOperations() throws IOException {
    String docs = Files.readString(Path.of("../docs/http-api.md"));
    Set<String> listed = new TreeSet<>();
    Pattern entry = Pattern.compile("^(?:### |\\| )`(GET|POST|PUT|DELETE|PATCH) (/[^` ?]*)");
    for (String line : docs.lines().toList()) {
      Matcher m = entry.matcher(line);
      if (m.find()) {
        listed.add(m.group(1) + " " + m.group(2));
      }
    }
    assertEquals(operations(), listed, "docs/http-api.md's endpoint headings and table rows against openapi.json");

    List<Pattern> templates = operations().stream()
        .map(o -> Pattern.compile(Pattern.quote(o).replaceAll("\\{[^}]+}", "\\\\E[^/ ]+\\\\Q"))).toList();
    Matcher mention = Pattern.compile("\\b(GET|POST|PUT|DELETE|PATCH) (/[A-Za-z0-9_.{}%/-]*)").matcher(docs);
    List<String> unknown = new ArrayList<>();
    while (mention.find()) {
      String m = mention.group(1) + " " + mention.group(2);
      if (templates.stream().noneMatch(t -> t.matcher(m).matches())) {
        unknown.add(m);
      }
    }
    assertEquals(List.of(), unknown, "mentioned in docs/http-api.md but not described in openapi.json");
  }

  /** Every described operation as "METHOD /path/{param}". */
  private static Set<String> operations() {
    Set<String> operations = new TreeSet<>();
    description.getPaths().forEach((path, item) ->
        item.readOperationsMap().keySet().forEach(method -> operations.add(method.name() + " " + path)));
    return operations;
  }

  private static String fill(String template) {
    String path = template;
    for (Map.Entry<String, String> p : PATH_PARAMETERS.entrySet()) {
      path = path.replace("{" + p.getKey() + "}", p.getValue());
    }
    assertFalse(path.contains("{"), "no value for a parameter of " + template);
    return path;
  }

  private static OpenAPI parse(String json) {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    SwaggerParseResult result = new OpenAPIV3Parser().readContents(json, null, options);
    assertEquals(List.of(), result.getMessages() == null ? List.of() : result.getMessages(),
        "openapi.json is not valid OpenAPI 3");
    assertNotNull(result.getOpenAPI());
    return result.getOpenAPI();
  }

  private static String served() throws Exception {
    HttpResponse<String> response = send("GET", "/api/v1/openapi.json");
    assertEquals(200, response.statusCode(), response.body());
    return response.body();
  }

  private static HttpResponse<String> send(String method, String path) throws Exception {
    return client.send(request(method, path), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest request(String method, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + path))
        .header("Authorization", TestAccess.bearer(TestAccess.OPERATOR_TOKEN))
        .method(method, HttpRequest.BodyPublishers.noBody())
        .timeout(Duration.ofSeconds(10)).build();
  }
}
