package dev.tugboat.http.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tokens this node accepts, by hash. Backed by a tokens file that is read again when it
 * changes (a Kubernetes secret's mounted file is replaced in place), looked at no more than once
 * per {@code recheck}: a token removed from the file stops working, and so do the session cookies
 * made with it. A file that turns unreadable or invalid keeps the last good set and is logged once
 * per change; at start-up a bad file fails the start instead.
 */
public final class Tokens {
  private static final Logger LOG = LoggerFactory.getLogger(Tokens.class);
  /** Stands for "the file could not be read" where a bad file's time stamp is remembered. */
  private static final FileTime UNREADABLE = FileTime.fromMillis(Long.MIN_VALUE);

  private final Path file;
  private final Duration recheck;
  private final Clock clock;
  private volatile Map<String, Principal> byHash;
  private volatile FileTime loadedStamp;
  private volatile Instant nextCheck;
  private volatile FileTime reportedBadStamp;

  private Tokens(Path file, Map<String, Principal> byHash, FileTime stamp, Duration recheck, Clock clock) {
    this.file = file;
    this.byHash = byHash;
    this.loadedStamp = stamp;
    this.recheck = recheck;
    this.clock = clock;
    this.nextCheck = clock.instant().plus(recheck);
  }

  /** No tokens at all: every request is anonymous. */
  public static Tokens none() {
    return new Tokens(null, Map.of(), null, Duration.ofDays(365), Clock.systemUTC());
  }

  /** The tokens in {@code file}, which must exist and be valid now. */
  public static Tokens fromFile(Path file, Duration recheck, Clock clock) throws IOException {
    FileTime stamp = Files.getLastModifiedTime(file);
    return new Tokens(file, TokenFile.read(file), stamp, recheck, clock);
  }

  /** How many tokens are known (logged at start-up; never which). */
  public int size() {
    return current().size();
  }

  /** The principal {@code token} was issued to, if it is known. */
  public Optional<Principal> byToken(String token) {
    return byHash(TokenHash.of(token));
  }

  /** The principal of the token with {@code hash}, if it is (still) known. */
  public Optional<Principal> byHash(String hash) {
    return Optional.ofNullable(current().get(hash));
  }

  private Map<String, Principal> current() {
    if (file != null && !clock.instant().isBefore(nextCheck)) {
      reloadIfChanged();
    }
    return byHash;
  }

  private synchronized void reloadIfChanged() {
    Instant now = clock.instant();
    if (now.isBefore(nextCheck)) {
      return;
    }
    nextCheck = now.plus(recheck);
    FileTime stamp;
    try {
      stamp = Files.getLastModifiedTime(file);
    } catch (IOException e) {
      reportBad(UNREADABLE, "cannot be read (" + e.getClass().getSimpleName() + ")");
      return;
    }
    if (stamp.equals(loadedStamp)) {
      return;
    }
    try {
      Map<String, Principal> fresh = TokenFile.read(file);
      byHash = fresh;
      loadedStamp = stamp;
      reportedBadStamp = null;
      LOG.info("Tokens file {} read again: {} tokens", file, fresh.size());
    } catch (IOException e) {
      reportBad(stamp, e.getMessage());
    }
  }

  private void reportBad(FileTime stamp, String problem) {
    if (!stamp.equals(reportedBadStamp)) {
      reportedBadStamp = stamp;
      LOG.error("Tokens file {}: {}; the last good set of {} tokens stays in use", file, problem, byHash.size());
    }
  }
}
