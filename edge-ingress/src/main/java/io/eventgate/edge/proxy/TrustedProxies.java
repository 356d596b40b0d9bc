package io.eventgate.edge.proxy;

import io.eventgate.policy.model.AddressRanges;
import java.util.ArrayList;
import java.util.List;

/**
 * The CIDR ranges whose X-Forwarded-For and Forwarded headers are believed. The client address is the
 * right-most address in the chain that is not a trusted proxy; from anyone else, inbound forwarding
 * headers are ignored and the peer itself is the client.
 */
public final class TrustedProxies {
    private final AddressRanges ranges;

    private TrustedProxies(AddressRanges ranges) {
        this.ranges = ranges;
    }

    /** Parses {@code 10.0.0.0/8}, {@code 127.0.0.1} (a single host) or IPv6 ranges; a bad entry fails with its text. */
    public static TrustedProxies of(List<String> cidrs) {
        return new TrustedProxies(AddressRanges.of(cidrs, "trustedProxies"));
    }

    public boolean trusted(String address) {
        return ranges.contains(address);
    }

    /**
     * The client address given the peer and the X-Forwarded-For values it sent: walking the chain from the
     * right, the first address that is not a trusted proxy (or the left-most if all are).
     */
    public String clientAddress(String peer, List<String> forwardedFor) {
        if (!trusted(peer) || forwardedFor.isEmpty()) {
            return peer;
        }
        List<String> chain = new ArrayList<>();
        for (String header : forwardedFor) {
            for (String hop : header.split(",")) {
                String trimmed = hop.trim();
                if (!trimmed.isEmpty()) {
                    chain.add(trimmed);
                }
            }
        }
        for (int i = chain.size() - 1; i >= 0; i--) {
            String hop = chain.get(i);
            if (AddressRanges.literal(hop) == null) {
                return peer; // garbage in the chain: trust nothing beyond the peer
            }
            if (!trusted(hop)) {
                return hop;
            }
        }
        return chain.isEmpty() ? peer : chain.get(0);
    }
}
