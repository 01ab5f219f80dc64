package dev.tugboat.protocol;

/** One environment variable of a model's container, exactly as the SO sent it. */
public record EnvVar(String name, String value) implements CborSerializable {}
