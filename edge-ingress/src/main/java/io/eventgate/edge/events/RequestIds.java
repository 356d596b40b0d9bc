package io.eventgate.edge.events;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Random version-4 UUIDs for requests that arrive without an id. Drawn from ThreadLocalRandom rather than
 * {@link UUID#randomUUID()}'s shared SecureRandom: request ids must be unique, not secret, and this runs on
 * every request of every virtual thread.
 */
final class RequestIds {
    private RequestIds() {
    }

    static String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }
}
