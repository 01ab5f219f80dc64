package dev.tugboat.node;

import dev.tugboat.http.auth.Role;
import dev.tugboat.http.auth.TokenHash;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tugboat token --name N --role R}: makes a new API token. The token goes to standard
 * output once, for the person it is for; the line for the tokens file (its hash, never the
 * token) goes to standard error with a hint, so {@code tugboat token ... 2>> tokens.txt} keeps it.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
    description = {"Make a new API token for a person or a program.",
        "Prints the token on standard output (shown once, not stored anywhere) and the line to",
        "append to the tokens file (TUGBOAT_TOKENS_FILE) on standard error. See docs/http-api.md,",
        "\"Authentication\"."},
    footer = {"", "Reads no environment variable and no config key."})
final class TokenCommand implements Callable<Integer> {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

  @Spec
  CommandSpec spec;

  @Option(names = "--name", required = true, description = "Who the token is for (shown in audit lines).")
  String name;

  @Option(names = "--role", required = true, description = "viewer (reads) or operator (everything).")
  String role;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    if (Role.parse(role).isEmpty()) {
      err.println("tugboat token: --role must be viewer or operator, was '" + role + "'");
      return 2;
    }
    if (!NAME.matcher(name).matches()) {
      err.println("tugboat token: --name must be 1 to 64 letters, digits, '.', '_', '@' or '-'");
      return 2;
    }
    String token = TokenHash.newToken();
    spec.commandLine().getOut().println(token);
    spec.commandLine().getOut().flush();
    err.println(TokenHash.of(token) + " " + role + " " + name);
    err.flush();
    return 0;
  }
}
