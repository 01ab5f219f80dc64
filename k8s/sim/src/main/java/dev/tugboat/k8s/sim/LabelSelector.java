package dev.tugboat.k8s.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed Kubernetes label selector as sent in {@code ?labelSelector=}: {@code k=v}, {@code k==v},
 * {@code k!=v}, {@code k}, {@code !k}, {@code k in (a,b)}, {@code k notin (a,b)}, comma-separated.
 */
record LabelSelector(List<Requirement> requirements) {

  /** One requirement on one label. */
  record Requirement(String key, String op, Set<String> values) {
    boolean matches(Map<String, String> labels) {
      String v = labels == null ? null : labels.get(key);
      return switch (op) {
        case "exists" -> v != null;
        case "!exists" -> v == null;
        case "in" -> v != null && values.contains(v);
        case "notin", "!=" -> v == null || !values.contains(v);
        default -> false;
      };
    }
  }

  static final LabelSelector EVERYTHING = new LabelSelector(List.of());

  boolean matches(Map<String, String> labels) {
    for (Requirement r : requirements) {
      if (!r.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  /** Parses a selector; throws IllegalArgumentException on a malformed one (the server answers 400). */
  static LabelSelector parse(String s) {
    if (s == null || s.isBlank()) {
      return EVERYTHING;
    }
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        parts.add(s.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(s.substring(start));
    List<Requirement> reqs = new ArrayList<>();
    for (String raw : parts) {
      String p = raw.trim();
      if (p.isEmpty()) {
        throw new IllegalArgumentException("empty requirement in label selector '" + s + "'");
      }
      int neq = p.indexOf("!=");
      int eq = p.indexOf('=');
      String[] words = p.split("\\s+", 3);
      if (neq > 0) {
        reqs.add(new Requirement(p.substring(0, neq).trim(), "!=", Set.of(p.substring(neq + 2).trim())));
      } else if (eq > 0) {
        String key = p.substring(0, eq).trim();
        String value = p.substring(p.startsWith("==", eq) ? eq + 2 : eq + 1).trim();
        reqs.add(new Requirement(key, "in", Set.of(value)));
      } else if (words.length == 3 && (words[1].equals("in") || words[1].equals("notin"))) {
        String set = words[2].trim();
        if (!set.startsWith("(") || !set.endsWith(")")) {
          throw new IllegalArgumentException("malformed set in label selector '" + s + "'");
        }
        Set<String> values = Set.copyOf(List.of(set.substring(1, set.length() - 1).trim().split("\\s*,\\s*")));
        reqs.add(new Requirement(words[0], words[1], values));
      } else if (p.startsWith("!")) {
        reqs.add(new Requirement(p.substring(1).trim(), "!exists", Set.of()));
      } else if (words.length == 1) {
        reqs.add(new Requirement(p, "exists", Set.of()));
      } else {
        throw new IllegalArgumentException("malformed label selector '" + s + "'");
      }
    }
    return new LabelSelector(List.copyOf(reqs));
  }
}
