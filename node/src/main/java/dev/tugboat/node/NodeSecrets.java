package dev.tugboat.node;

import dev.tugboat.protocol.OwnerOnly;
import dev.tugboat.protocol.Sealer;
import dev.tugboat.protocol.SecretKey;
import dev.tugboat.protocol.SecretSettings;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's {@link Sealer}: the key from TUGBOAT_SECRET_KEY_FILE, or in the embedded mode a key
 * of its own kept at {@code <data-dir>/secret.key}; production without a key file refuses to
 * start ({@link StartRefused}). Also keeps the data directory owner-only.
 */
final class NodeSecrets {
  private static final Logger LOG = LoggerFactory.getLogger(NodeSecrets.class);
  static final String EMBEDDED_KEY_FILE = "secret.key";

  private NodeSecrets() {}

  static Sealer sealer(NodeSettings node, SecretSettings secrets) {
    SecretKey key;
    String source;
    if (!secrets.keyFile().isEmpty()) {
      Path file = Path.of(secrets.keyFile());
      try {
        key = SecretKey.read(file);
      } catch (IOException e) {
        throw new StartRefused("TUGBOAT_SECRET_KEY_FILE (tugboat.secrets.key-file): cannot read the secret key: "
            + (e.getMessage() == null ? e.toString() : e.getMessage()));
      }
      source = file.toString();
    } else if (node.embedded()) {
      Path file = node.dataDir().resolve(EMBEDDED_KEY_FILE);
      try {
        key = SecretKey.readOrCreate(file);
      } catch (IOException e) {
        throw new StartRefused("cannot read or create the embedded secret key " + file + ": " + e.getMessage());
      }
      source = file + " (embedded mode)";
    } else {
      throw new StartRefused("TUGBOAT_SECRET_KEY_FILE is not set: a production node needs the key that seals secret"
          + " environment values (a file with 32 random bytes, base64; docs/operations.md, \"Secrets\")");
    }
    Sealer sealer = new Sealer(secrets.names(), key);
    LOG.info("secret environment values {} are sealed under key {} from {}", secrets.names().patterns(),
        key.id(), source);
    return sealer;
  }

  /**
   * Makes the data directory and its files owner-only (the journal's H2 files among them), when
   * it is in use: in the embedded mode, or when it exists.
   */
  static void restrictDataDir(NodeSettings node) {
    Path dir = node.dataDir();
    if (!node.embedded() && !dir.toFile().isDirectory()) {
      return;
    }
    try {
      OwnerOnly.restrict(dir);
    } catch (IOException e) {
      LOG.warn("could not make the data directory {} owner-only: {}", dir, e.toString());
    }
  }
}
