package io.eventgate.edge.limits;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
    static final long SECOND = 1_000_000_000L;

    @Test
    void burstThenTheSustainedRate() {
        TokenBucket bucket = new TokenBucket(10, 20, 0);
        int allowed = 0;
        for (int i = 0; i < 40; i++) {
            if (bucket.take(0).allowed()) {
                allowed++;
            }
        }
        assertThat(allowed).isEqualTo(20);
        TokenBucket.Take refused = bucket.take(0);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.secondsUntilNextToken()).isEqualTo(0.1, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(bucket.take(SECOND / 10).allowed()).as("one token after 100 ms").isTrue();
        assertThat(bucket.take(SECOND / 10).allowed()).isFalse();
    }

    @Test
    void refillsToTheBurstAndNoFurther() {
        TokenBucket bucket = new TokenBucket(10, 20, 0);
        for (int i = 0; i < 20; i++) {
            bucket.take(0);
        }
        TokenBucket.Take afterAMinute = bucket.take(60 * SECOND);
        assertThat(afterAMinute.allowed()).isTrue();
        assertThat(afterAMinute.remaining()).isEqualTo(19);
        assertThat(afterAMinute.secondsUntilFull()).isEqualTo(0.1, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void aRetunedBucketKeepsItsTokensInsteadOfStartingFull() {
        TokenBucket bucket = new TokenBucket(10, 20, 0);
        for (int i = 0; i < 20; i++) {
            bucket.take(0);
        }
        TokenBucket slower = bucket.retuned(5, 10, SECOND / 10);          // one token refilled at the old rate
        assertThat(slower.take(SECOND / 10).allowed()).isTrue();
        assertThat(slower.take(SECOND / 10).allowed()).as("no fresh burst").isFalse();
        assertThat(slower.take(SECOND / 10 + SECOND / 5).allowed()).as("then the new rate: 1 token per 200 ms").isTrue();

        TokenBucket full = new TokenBucket(10, 20, 0).retuned(10, 4, 0);
        int allowed = 0;
        while (full.take(0).allowed()) {
            allowed++;
        }
        assertThat(allowed).as("tokens above the new burst are dropped").isEqualTo(4);
    }
}
