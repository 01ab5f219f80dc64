package dev.tugboat.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tugboat.http.auth.TokenHash;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TokenCommandTest {

  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine(NodeStarter.PRODUCTION);
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  @Test
  void printsTheTokenOnceAndTheTokensFileLineWithItsHash() {
    String[] r = run("token", "--name", "alice", "--role", "operator");

    assertEquals("0", r[0]);
    String token = r[1].strip();
    assertTrue(token.startsWith("tgb_"), r[1]);
    assertEquals(TokenHash.of(token) + " operator alice", r[2].strip());
  }

  @Test
  void aWrongRoleOrNameIsOneLineAndExit2() {
    String[] badRole = run("token", "--name", "alice", "--role", "admin");
    assertEquals("2", badRole[0]);
    assertTrue(badRole[2].contains("--role must be viewer or operator"), badRole[2]);
    assertEquals("", badRole[1]);

    String[] badName = run("token", "--name", "a b", "--role", "viewer");
    assertEquals("2", badName[0]);
    assertTrue(badName[2].contains("--name"), badName[2]);
  }
}
