package dev.tugboat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SealerTest {
  private static final Sealer SEALER = new Sealer(SecretEnvNames.DEFAULT, SecretKey.generate());

  private static ServiceSpec spec(String password) {
    return ServiceSpec.of("204-asd", "sim", new ModelSpec("m0", "img:1", List.of(
        new EnvVar("MQTT_HOST", "broker"), new EnvVar("MQTT_PASSWORD", password), new EnvVar("MODEL_ID", "m0"))), 1.0);
  }

  @Test
  void secretValuesAreSealedAndOpenAgain() {
    ServiceSpec sealed = SEALER.seal(spec("hunter2-secret"));
    EnvVar password = sealed.env().get(1);
    assertEquals("MQTT_PASSWORD", password.name());
    assertEquals("", password.value());
    assertTrue(password.sealed().startsWith("aes256gcm:" + SEALER.keyId() + ":"));
    assertFalse(password.sealed().contains("hunter2"));
    assertEquals(new EnvVar("MQTT_HOST", "broker"), sealed.env().get(0));
    assertEquals(new EnvVar("MODEL_ID", "m0"), sealed.env().get(2));
    assertEquals("hunter2-secret", SEALER.open(password));
    assertEquals(spec("hunter2-secret"), SEALER.unsealed(sealed));
    assertEquals(Map.of("MQTT_PASSWORD", "hunter2-secret"), SEALER.secretValues(sealed));
    assertEquals(sealed, SEALER.seal(sealed), "a sealed spec is not sealed twice");
  }

  @Test
  void eachSealingUsesAFreshNonceAndIsComparedByWhatItOpensTo() {
    ServiceSpec a = SEALER.seal(spec("pw"));
    ServiceSpec b = SEALER.seal(spec("pw"));
    assertNotEquals(a.env().get(1).sealed(), b.env().get(1).sealed());
    assertTrue(SEALER.sameAs(a, b));
    assertTrue(SEALER.sameAs(a, spec("pw")));
    assertFalse(SEALER.sameAs(a, spec("other")));
  }

  @Test
  void aSpecWithoutSecretsIsUnchanged() {
    ServiceSpec plain = ServiceSpec.of("s", "sim", new ModelSpec("m0", "img:1", List.of(new EnvVar("A", "1"))), 1.0);
    assertEquals(plain, SEALER.seal(plain));
    assertNull(SEALER.seal(plain).env().get(0).sealed());
  }

  @Test
  void anotherKeyIsNamedNotACryptoError() {
    EnvVar sealed = SEALER.seal(spec("pw")).env().get(1);
    Sealer other = new Sealer(SecretEnvNames.DEFAULT, SecretKey.generate());
    SealedValueException e = assertThrows(SealedValueException.class, () -> other.open(sealed));
    assertEquals("the value of MQTT_PASSWORD was sealed under key " + SEALER.keyId() + ", this node has key "
        + other.keyId() + " (TUGBOAT_SECRET_KEY_FILE)", e.getMessage());
  }

  @Test
  void aTamperedCiphertextDoesNotOpen() {
    EnvVar sealed = SEALER.seal(spec("pw")).env().get(1);
    String[] parts = sealed.sealed().split(":");
    byte[] blob = Base64.getDecoder().decode(parts[2]);
    blob[blob.length - 1] ^= 1;
    EnvVar tampered = new EnvVar(sealed.name(), "", parts[0] + ":" + parts[1] + ":" + Base64.getEncoder().encodeToString(blob));
    SealedValueException e = assertThrows(SealedValueException.class, () -> SEALER.open(tampered));
    assertTrue(e.getMessage().contains("does not authenticate"), e.getMessage());
  }

  @Test
  void aValueMovedToAnotherNameDoesNotOpen() {
    EnvVar sealed = SEALER.seal(spec("pw")).env().get(1);
    EnvVar moved = new EnvVar("DB_PASSWORD", "", sealed.sealed());
    assertThrows(SealedValueException.class, () -> SEALER.open(moved));
  }

  @Test
  void toStringNeverPrintsASecretValue() {
    ServiceSpec plain = spec("hunter2-secret");
    ServiceSpec sealed = SEALER.seal(plain);
    assertFalse(plain.toString().contains("hunter2"), plain.toString());
    assertFalse(sealed.toString().contains(sealed.env().get(1).sealed()), sealed.toString());
    assertTrue(plain.toString().contains("MQTT_HOST, value=broker"), plain.toString());
    assertEquals("EnvVar[name=MQTT_PASSWORD, value=<secret>]", new EnvVar("MQTT_PASSWORD", "x").toString());
    assertEquals("EnvVar[name=MQTT_PASSWORD, value=<sealed>]", sealed.env().get(1).toString());
    ModelSpec model = new ModelSpec("m0", "img", List.of(new EnvVar("API_TOKEN", "hunter2-secret")));
    assertFalse(model.toString().contains("hunter2"));
  }

  @Test
  void aKeyFileIsMadeOwnerOnlyOnceAndReused(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("data").resolve("secret.key");
    SecretKey first = SecretKey.readOrCreate(file);
    SecretKey again = SecretKey.readOrCreate(file);
    assertEquals(first.id(), again.id());
    assertEquals(32, Base64.getDecoder().decode(Files.readString(file).strip()).length);
    if (OwnerOnly.posix(file)) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }
  }

  @Test
  void aKeyFileOfTheWrongLengthIsRefused(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("short.key");
    Files.writeString(file, Base64.getEncoder().encodeToString(new byte[16]));
    Exception e = assertThrows(java.io.IOException.class, () -> SecretKey.read(file));
    assertTrue(e.getMessage().contains("16 bytes, not 32"), e.getMessage());
  }

  @Test
  void ownerOnlyRestrictsADirectoryAndItsFiles(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data.resolve("sub"));
    Path db = Files.writeString(data.resolve("tugboat.mv.db"), "x");
    Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
    OwnerOnly.restrict(data);
    if (OwnerOnly.posix(data)) {
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("sub"))));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(db)));
    }
  }
}
