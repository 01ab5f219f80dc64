package dev.tugboat.http;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The path templates a route class's source matches, read from its {@code path(...)} or
 * {@code pathPrefix(...)} calls written as this module writes them: {@code "metrics"},
 * {@code segment("api").slash("v1").slash(segment())}. A literal segment stays itself, a
 * {@code segment()} becomes {@code {}}; segments are joined with "/".
 */
final class RouteSource {

  private static final Pattern ATOM = Pattern.compile("\\s*(?:segment\\(\"([^\"]*)\"\\)|(segment\\(\\))|\"([^\"]*)\")");
  private static final Pattern SLASH = Pattern.compile("\\s*\\.slash\\(");

  private RouteSource() {}

  /** The templates of every {@code directive(...)} call in {@code code} whose argument is a path matcher. */
  static List<String> templates(String code, String directive) {
    List<String> templates = new ArrayList<>();
    Matcher call = Pattern.compile("(?<![\\w.])" + Pattern.quote(directive) + "\\(").matcher(code);
    while (call.find()) {
      List<String> segments = new ArrayList<>();
      int at = call.end();
      Matcher atom = ATOM.matcher(code);
      if (!atom.region(at, code.length()).lookingAt()) {
        continue;
      }
      segments.add(segment(atom));
      at = atom.end();
      Matcher slash = SLASH.matcher(code);
      while (slash.region(at, code.length()).lookingAt()) {
        atom = ATOM.matcher(code);
        if (!atom.region(slash.end(), code.length()).lookingAt()) {
          break;
        }
        segments.add(segment(atom));
        at = atom.end() + 1; // the closing parenthesis of slash(
      }
      templates.add(String.join("/", segments));
    }
    return templates;
  }

  private static String segment(Matcher atom) {
    if (atom.group(1) != null) {
      return atom.group(1);
    }
    return atom.group(2) != null ? "{}" : atom.group(3);
  }
}
