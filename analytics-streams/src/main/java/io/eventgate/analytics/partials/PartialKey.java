package io.eventgate.analytics.partials;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** A key (route or consumer) in the window that starts at {@code windowStart}. */
record PartialKey(String key, long windowStart) {

    /** The window start, then the key's UTF-8 bytes. */
    static Serde<PartialKey> serde() {
        return Serdes.serdeFrom((topic, partial) -> {
            byte[] key = partial.key.getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(8 + key.length).putLong(partial.windowStart).put(key).array();
        }, (topic, bytes) -> new PartialKey(new String(bytes, 8, bytes.length - 8, StandardCharsets.UTF_8), ByteBuffer.wrap(bytes).getLong()));
    }
}
