package dev.tugboat.protocol.hosted;

import dev.tugboat.protocol.CborSerializable;

/** How many replicas a hosted service runs: at least {@code min} (>= 1), scaled on load up to {@code max}. */
public record Replicas(int min, int max) implements CborSerializable {}
