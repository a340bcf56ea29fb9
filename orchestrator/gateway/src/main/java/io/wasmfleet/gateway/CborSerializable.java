package io.wasmfleet.gateway;

/** Marks messages that may cross cluster nodes; serialized as CBOR by Jackson. */
public interface CborSerializable {}
