package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The image's build context (the repository root, k8s/deploy/Dockerfile): the root .dockerignore
 * lets through what the Dockerfile copies and keeps out sources, other build output, .git and
 * local state, read with Docker's rules (Go path patterns plus {@code **}; a pattern that matches
 * a folder matches everything in it; the last matching pattern decides, {@code !} lets through).
 */
class DockerBuildContextTest {

  private static final Path ROOT = Path.of("..");

  @Test
  void everyFileTheDockerfileCopiesIsInTheContext() throws IOException {
    List<String> sources = copiedSources();
    assertFalse(sources.isEmpty(), "the Dockerfile copies nothing from the context");
    for (String source : sources) {
      assertFalse(excluded(source), ".dockerignore keeps " + source + " out, and the Dockerfile copies it");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {".git/config", "data/secret.key", "data/tugboat.mv.db", "docs/operations.md",
      "node/src/main/java/dev/tugboat/node/TugboatNode.java", "node/target/classes/application.conf",
      "node/target/original-tugboat.jar", "node/demo/target/tugboat-demo-0.1.0-SNAPSHOT.jar",
      "persistence/target/tugboat-persistence-0.1.0-SNAPSHOT.jar",
      "k8s/deploy/examples/secrets.example.yaml", "pom.xml", ".idea/workspace.xml"})
  void everythingElseStaysOut(String path) throws IOException {
    assertTrue(excluded(path), path + " would be sent to the image build");
  }

  @Test
  void theRulesAreReadAsDockerReadsThem() {
    List<String> rules = List.of("*", "!**/target/app.jar", "docs", "!docs/keep.md");
    assertTrue(excluded("src/a.java", rules), "* matches a top-level folder, and so all in it");
    assertFalse(excluded("a/target/app.jar", rules), "** matches any folders");
    assertFalse(excluded("a/b/target/app.jar", rules));
    assertTrue(excluded("a/target/app.jar.bak", rules));
    assertTrue(excluded("docs/x/y.md", rules), "a folder's pattern covers what is in it");
    assertFalse(excluded("docs/keep.md", rules), "the last matching pattern decides");
  }

  /** The context paths the Dockerfile's COPY and ADD read (not those from other build stages). */
  private static List<String> copiedSources() throws IOException {
    List<String> sources = new ArrayList<>();
    for (String line : Files.readAllLines(ROOT.resolve("k8s").resolve("deploy").resolve("Dockerfile"))) {
      String[] words = line.strip().split("\\s+");
      if (words.length < 3 || !(words[0].equals("COPY") || words[0].equals("ADD"))) {
        continue;
      }
      List<String> args = Arrays.stream(words).skip(1).toList();
      if (args.stream().anyMatch(a -> a.startsWith("--from="))) {
        continue;
      }
      List<String> paths = args.stream().filter(a -> !a.startsWith("--")).toList();
      sources.addAll(paths.subList(0, paths.size() - 1));
    }
    return sources;
  }

  private static boolean excluded(String path) throws IOException {
    List<String> rules = Files.readAllLines(ROOT.resolve(".dockerignore")).stream().map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    assertFalse(rules.isEmpty(), "no .dockerignore rules");
    return excluded(path, rules);
  }

  /** Docker's rule: the last pattern that matches the path or one of its folders decides. */
  private static boolean excluded(String path, List<String> rules) {
    boolean excluded = false;
    for (String rule : rules) {
      boolean let = rule.startsWith("!");
      Pattern pattern = pattern(let ? rule.substring(1) : rule);
      String prefix = path;
      boolean matched = false;
      while (!prefix.isEmpty() && !matched) {
        matched = pattern.matcher(prefix).matches();
        int slash = prefix.lastIndexOf('/');
        prefix = slash < 0 ? "" : prefix.substring(0, slash);
      }
      if (matched) {
        excluded = !let;
      }
    }
    return excluded;
  }

  /** A .dockerignore pattern as a regular expression: {@code **} any folders, {@code *} and {@code ?} within one name. */
  private static Pattern pattern(String glob) {
    String g = glob.startsWith("/") ? glob.substring(1) : glob;
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < g.length(); i++) {
      char c = g.charAt(i);
      if (g.startsWith("**/", i)) {
        regex.append("(.*/)?");
        i += 2;
      } else if (g.startsWith("**", i)) {
        regex.append(".*");
        i += 1;
      } else if (c == '*') {
        regex.append("[^/]*");
      } else if (c == '?') {
        regex.append("[^/]");
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString());
  }
}
