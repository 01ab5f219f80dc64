package dev.tugboat.protocol;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

/**
 * Makes a directory and what it holds readable by the owner only (rwx------ for directories,
 * rw------- for files), so that the journal and the key beside it are not world-readable. On a
 * file system without POSIX permissions it does nothing.
 */
public final class OwnerOnly {

  private OwnerOnly() {}

  /** True when {@code path}'s file system has POSIX permissions. */
  public static boolean posix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix")
        && Files.getFileAttributeView(path, PosixFileAttributeView.class) != null;
  }

  /** Creates {@code dir} if needed and restricts it and everything under it to the owner. */
  public static void restrict(Path dir) throws IOException {
    Files.createDirectories(dir);
    if (!posix(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        if (Files.isSymbolicLink(p)) {
          continue;
        }
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
            Files.isDirectory(p) ? "rwx------" : "rw-------"));
      }
    }
  }
}
