package io.eventgate.edge.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The learned hedging delay: a fallback until enough answers, then the quantile of the recent ones. */
class LatencyWindowTest {
    @Test
    void fallsBackUntilWarmThenFollowsTheRecentQuantile() {
        LatencyWindow cold = new LatencyWindow(95);
        for (int i = 0; i < LatencyWindow.WARM - 1; i++) {
            cold.record(1_000);
        }
        assertThat(cold.quantileOr(-7)).as("too few answers to trust").isEqualTo(-7);
        LatencyWindow window = new LatencyWindow(95);
        for (int i = 1; i <= LatencyWindow.SIZE; i++) {
            window.record(i * 1_000L); // 1..512 µs
        }
        assertThat(window.quantileOr(-7)).as("the 95th percentile of 1..512 µs").isEqualTo(487_000L);
        for (int i = 0; i < LatencyWindow.SIZE; i++) {
            window.record(50_000_000L);
        }
        assertThat(window.quantileOr(-7)).as("old answers leave the window").isEqualTo(50_000_000L);
    }
}
