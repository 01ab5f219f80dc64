package dev.tugboat.protocol;

/**
 * Marker for every message, event and state that may cross a node boundary or reach the journal;
 * bound to Jackson CBOR in this module's reference.conf (Java serialization is off).
 */
public interface CborSerializable {}
