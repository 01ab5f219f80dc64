package dev.tugboat.node;

import com.typesafe.config.Config;
import dev.tugboat.http.auth.Access;
import dev.tugboat.http.auth.AuthSettings;
import dev.tugboat.protocol.Sealer;
import java.io.IOException;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP {@link Access}: the tokens file read at start-up (a missing or invalid one
 * refuses the start, naming the line, never its content), session cookies signed with a key
 * derived from the node's secret key, which every node of a cluster shares, so a browser's
 * session holds on whichever node answers.
 */
final class NodeAccess {
  private static final Logger LOG = LoggerFactory.getLogger(NodeAccess.class);
  /** The purpose the session-cookie key is derived for; changing it ends every session. */
  static final String COOKIE_KEY_PURPOSE = "tugboat http session cookies v1";

  private NodeAccess() {}

  static Access of(Config config, NodeSettings node, Sealer sealer) {
    AuthSettings settings;
    try {
      settings = AuthSettings.fromConfig(config, node.embedded());
    } catch (IllegalArgumentException e) {
      throw new StartRefused(e.getMessage());
    }
    Access access;
    try {
      access = Access.of(settings, sealer.deriveKey(COOKIE_KEY_PURPOSE), Clock.systemUTC());
    } catch (IOException e) {
      throw new StartRefused("TUGBOAT_TOKENS_FILE (tugboat.http.auth.tokens-file): "
          + (e.getMessage() == null ? e.toString() : e.getMessage()));
    }
    int tokens = access.authenticator().tokens().size();
    if (tokens == 0) {
      LOG.warn("No API tokens (TUGBOAT_TOKENS_FILE {}): every change over HTTP answers 401; reads are {}",
          settings.tokensFile().map(Object::toString).orElse("not set"),
          settings.anonymousRead() ? "open to anyone" : "refused too");
    } else {
      LOG.info("HTTP access: {} tokens from {}; anonymous reading {}", tokens,
          settings.tokensFile().orElseThrow(), settings.anonymousRead() ? "on" : "off");
    }
    return access;
  }
}
