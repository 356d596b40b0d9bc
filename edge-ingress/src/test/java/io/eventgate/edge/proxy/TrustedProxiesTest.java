package io.eventgate.edge.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {
    final TrustedProxies proxies = TrustedProxies.of(List.of("10.0.0.0/8", "192.168.1.7", "fd00::/8"));

    @Test
    void untrustedPeersCannotSpoofTheirAddress() {
        assertThat(proxies.clientAddress("203.0.113.9", List.of("6.6.6.6"))).isEqualTo("203.0.113.9");
    }

    @Test
    void theClientIsTheRightMostUntrustedHop() {
        assertThat(proxies.clientAddress("10.1.2.3", List.of("6.6.6.6, 198.51.100.4", "10.9.9.9"))).isEqualTo("198.51.100.4");
        assertThat(proxies.clientAddress("192.168.1.7", List.of("198.51.100.4"))).isEqualTo("198.51.100.4");
        assertThat(proxies.clientAddress("fd12::1", List.of("2001:db8::5"))).isEqualTo("2001:db8::5");
    }

    @Test
    void garbageInTheChainStopsTheWalk() {
        assertThat(proxies.clientAddress("10.1.2.3", List.of("not-an-ip"))).isEqualTo("10.1.2.3");
    }

    @Test
    void rangesAreMatchedByPrefix() {
        assertThat(proxies.trusted("10.255.0.1")).isTrue();
        assertThat(proxies.trusted("11.0.0.1")).isFalse();
        assertThat(proxies.trusted("192.168.1.8")).isFalse();
        assertThat(proxies.trusted("example.com")).as("names are never resolved").isFalse();
    }

    @Test
    void badEntriesAreRefusedWithTheirText() {
        assertThatThrownBy(() -> TrustedProxies.of(List.of("10.0.0.0/33"))).hasMessageContaining("10.0.0.0/33");
        assertThatThrownBy(() -> TrustedProxies.of(List.of("intranet"))).hasMessageContaining("intranet");
    }
}
