package dev.tugboat.http.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a tokens file: one token a line, {@code <sha256:hex> <role> <name>}; blank lines and lines
 * starting with {@code #} are skipped. The file never holds a token itself, and an error never
 * quotes a line (a raw token pasted by mistake must not reach a log): it names the file, the line
 * number and what is wrong. A Kubernetes secret mounted as a file has the same form.
 */
public final class TokenFile {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

  private TokenFile() {}

  /** The principals of {@code file} by token hash; an {@link IOException} names what is wrong. */
  public static Map<String, Principal> read(Path file) throws IOException {
    return parse(file.toString(), Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  static Map<String, Principal> parse(String source, List<String> lines) throws IOException {
    Map<String, Principal> byHash = new HashMap<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = source + " line " + (i + 1);
      String[] fields = line.split("\\s+");
      if (fields.length != 3) {
        throw new IOException(where + ": expected `<sha256:hex> <role> <name>` (3 fields), found "
            + fields.length + " (`tugboat token` prints such a line)");
      }
      if (!TokenHash.isHash(fields[0])) {
        throw new IOException(where + ": the first field is not a token hash (sha256: and 64 lower-case hex"
            + " digits); a tokens file holds hashes, never tokens");
      }
      Role role = Role.parse(fields[1]).orElseThrow(() -> new IOException(
          where + ": role must be viewer or operator"));
      if (!NAME.matcher(fields[2]).matches()) {
        throw new IOException(where + ": the name must be 1 to 64 letters, digits, '.', '_', '@' or '-'");
      }
      if (!names.add(fields[2])) {
        throw new IOException(where + ": the name " + fields[2] + " has another token above");
      }
      if (byHash.putIfAbsent(fields[0], new Principal(fields[2], role, fields[0])) != null) {
        throw new IOException(where + ": the same token hash is listed twice");
      }
    }
    return Map.copyOf(byHash);
  }
}
