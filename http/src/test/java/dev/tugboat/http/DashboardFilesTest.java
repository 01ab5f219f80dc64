package dev.tugboat.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's files and {@link DashboardRoute#FILES} agree: every file in the resource folder is
 * served, and every file the page or a module refers to ({@code /dashboard/x} in the HTML,
 * {@code from './x.js'} in a module) is one of them, so a module added without being listed
 * cannot reach a browser as a 404.
 */
class DashboardFilesTest {

  private static final Pattern PAGE_REFERENCE = Pattern.compile("\"/dashboard/([^\"]+)\"");
  private static final Pattern MODULE_IMPORT = Pattern.compile("from '\\./([^']+)'");

  @Test
  void everyFileInTheFolderIsListedAndNothingElse() throws Exception {
    assertEquals(new TreeSet<>(DashboardRoute.FILES.keySet()), filesInFolder());
  }

  @Test
  void everyReferenceOfThePageAndItsModulesIsAListedFile() throws Exception {
    Set<String> referenced = new TreeSet<>();
    collect(PAGE_REFERENCE, read("index.html"), referenced);
    for (String name : DashboardRoute.FILES.keySet()) {
      if (name.endsWith(".js")) {
        collect(MODULE_IMPORT, read(name), referenced);
      }
    }
    assertTrue(referenced.contains("app.js") && referenced.contains("timeline.js"), referenced.toString());
    Set<String> unlisted = new TreeSet<>(referenced);
    unlisted.removeAll(DashboardRoute.FILES.keySet());
    assertEquals(Set.of(), unlisted, "referenced but not served");
  }

  private static void collect(Pattern pattern, String text, Set<String> into) {
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      into.add(m.group(1));
    }
  }

  private static Set<String> filesInFolder() throws IOException, URISyntaxException {
    Path folder = Path.of(DashboardFilesTest.class.getResource(DashboardRoute.RESOURCE_DIR).toURI());
    try (Stream<Path> files = Files.list(folder)) {
      return new TreeSet<>(files.map(p -> p.getFileName().toString()).toList());
    }
  }

  private static String read(String name) throws IOException {
    try (var in = DashboardFilesTest.class.getResourceAsStream(DashboardRoute.RESOURCE_DIR + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
