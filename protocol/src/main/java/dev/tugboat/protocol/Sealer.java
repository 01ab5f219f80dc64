package dev.tugboat.protocol;

import dev.tugboat.protocol.hosted.HostedSpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals the secret environment values ({@link SecretEnvNames}) of a {@link ServiceSpec} or a
 * {@link HostedSpec} with AES-256-GCM under the node's {@link SecretKey} before anything journals
 * them, opens them again where they are needed (the Kubernetes Secret of the pod, comparing a
 * re-sent deployment or create), and hides them in views.
 * A sealed value is {@code aes256gcm:<key id>:<base64 of nonce and ciphertext>}, a fresh random
 * 96-bit nonce each time and the variable's name as associated data, so that a value moved to
 * another name does not open. Thread-safe.
 */
public final class Sealer {
  private static final String SCHEME = "aes256gcm";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();
  /** What a view shows in place of a secret value. */
  public static final String SHOWN_SECRET = "<secret>";

  private final SecretEnvNames names;
  private final SecretKey key;
  private final SecretKeySpec aesKey;

  public Sealer(SecretEnvNames names, SecretKey key) {
    this.names = Objects.requireNonNull(names, "names");
    this.key = Objects.requireNonNull(key, "key");
    this.aesKey = new SecretKeySpec(key.bytes(), "AES");
  }

  public SecretEnvNames names() {
    return names;
  }

  /** A key for {@code purpose} derived from this sealer's key ({@link SecretKey#derive}). */
  public byte[] deriveKey(String purpose) {
    return key.derive(purpose);
  }

  /** The id of this sealer's key. */
  public String keyId() {
    return key.id();
  }

  /** The spec with every secret-named plain value sealed; sealed and other values unchanged. */
  public ServiceSpec seal(ServiceSpec spec) {
    List<EnvVar> env = seal(spec.env());
    return env == spec.env() ? spec : withEnv(spec, env);
  }

  /** The hosted service's spec with every secret-named plain value sealed, as a model's. */
  public HostedSpec seal(HostedSpec spec) {
    List<EnvVar> env = seal(spec.env());
    return env == spec.env() ? spec : spec.withEnv(env);
  }

  /** {@code env} with every secret-named plain value sealed; the same list when none is to be. */
  public List<EnvVar> seal(List<EnvVar> env) {
    if (env.stream().noneMatch(e -> !e.hasSealedValue() && names.isSecret(e.name()))) {
      return env;
    }
    return env.stream()
        .map(e -> !e.hasSealedValue() && names.isSecret(e.name())
            ? new EnvVar(e.name(), "", sealValue(e.name(), e.value() == null ? "" : e.value()))
            : e)
        .toList();
  }

  /** The spec with every sealed value opened, as the SO sent it. */
  public ServiceSpec unsealed(ServiceSpec spec) {
    List<EnvVar> env = unsealed(spec.env());
    return env == spec.env() ? spec : withEnv(spec, env);
  }

  /** {@code env} with every sealed value opened; the same list when none is sealed. */
  public List<EnvVar> unsealed(List<EnvVar> env) {
    if (env.stream().noneMatch(EnvVar::hasSealedValue)) {
      return env;
    }
    return env.stream().map(e -> new EnvVar(e.name(), open(e))).toList();
  }

  /**
   * True when the two specs ask for the same pod with the same values: a sealed value is compared
   * by what it opens to, since every sealing of the same value differs.
   */
  public boolean sameAs(ServiceSpec a, ServiceSpec b) {
    return unsealed(a).equals(unsealed(b));
  }

  /** {@link #sameAs(ServiceSpec, ServiceSpec)} for hosted services' specs. */
  public boolean sameAs(HostedSpec a, HostedSpec b) {
    return a.withEnv(unsealed(a.env())).equals(b.withEnv(unsealed(b.env())));
  }

  /** The sealed variables of the spec, by name, opened (in the spec's order). */
  public Map<String, String> secretValues(ServiceSpec spec) {
    return secretValues(spec.env());
  }

  /** The sealed variables of {@code env}, by name, opened (in its order). */
  public Map<String, String> secretValues(List<EnvVar> env) {
    Map<String, String> values = new LinkedHashMap<>();
    for (EnvVar e : env) {
      if (e.hasSealedValue()) {
        values.put(e.name(), open(e));
      }
    }
    return values;
  }

  /**
   * {@code env} as a view shows it: a sealed value, and the plain value of a secret-named variable
   * (journaled before sealing existed), as {@value #SHOWN_SECRET}; the others as they are.
   */
  public List<EnvVar> shown(List<EnvVar> env) {
    return env.stream().map(e -> e.hasSealedValue() || names.isSecret(e.name())
        ? new EnvVar(e.name(), SHOWN_SECRET) : e).toList();
  }

  /** The plaintext of one variable: its value, or its sealed value opened. */
  public String open(EnvVar e) {
    if (!e.hasSealedValue()) {
      return e.value();
    }
    String[] parts = e.sealed().split(":", 3);
    if (parts.length != 3 || !parts[0].equals(SCHEME)) {
      throw new SealedValueException("the sealed value of " + e.name() + " is not in the " + SCHEME + " format");
    }
    if (!parts[1].equals(key.id())) {
      throw new SealedValueException("the value of " + e.name() + " was sealed under key " + parts[1]
          + ", this node has key " + key.id() + " (TUGBOAT_SECRET_KEY_FILE)");
    }
    byte[] blob;
    try {
      blob = Base64.getDecoder().decode(parts[2]);
    } catch (IllegalArgumentException ex) {
      throw new SealedValueException("the sealed value of " + e.name() + " is not base64");
    }
    if (blob.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new SealedValueException("the sealed value of " + e.name() + " is too short");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, aesKey, new GCMParameterSpec(TAG_BITS, blob, 0, NONCE_BYTES));
      cipher.updateAAD(e.name().getBytes(StandardCharsets.UTF_8));
      byte[] plain = cipher.doFinal(blob, NONCE_BYTES, blob.length - NONCE_BYTES);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (AEADBadTagException ex) {
      throw new SealedValueException("the sealed value of " + e.name() + " does not authenticate under key "
          + key.id() + ": tampered with or corrupt");
    } catch (GeneralSecurityException ex) {
      throw new IllegalStateException("AES-GCM is not available: " + ex.getMessage(), ex);
    }
  }

  private String sealValue(String name, String value) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(value.getBytes(StandardCharsets.UTF_8));
      byte[] blob = ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
      return SCHEME + ":" + key.id() + ":" + Base64.getEncoder().encodeToString(blob);
    } catch (GeneralSecurityException ex) {
      throw new IllegalStateException("AES-GCM is not available: " + ex.getMessage(), ex);
    }
  }

  private static ServiceSpec withEnv(ServiceSpec s, List<EnvVar> env) {
    return new ServiceSpec(s.simulatorId(), s.simulationId(), s.modelId(), s.imageUrl(), env, s.keepLogsHours(),
        s.podName());
  }

  @Override
  public String toString() {
    return "Sealer[key " + key.id() + ", " + names + "]";
  }
}
