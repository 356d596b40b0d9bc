package io.eventgate.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.config.EventSettings;
import io.eventgate.edge.config.KafkaSettings;
import io.eventgate.edge.config.ServerSettings;
import io.eventgate.edge.pipeline.Exchange;
import io.eventgate.edge.pipeline.Protocol;
import io.eventgate.edge.pipeline.RequestHeaders;
import io.eventgate.edge.snapshot.Snapshot;
import io.eventgate.policy.model.ConsumerSettings;
import io.eventgate.policy.model.PlanSettings;
import io.eventgate.policy.model.PoolSettings;
import io.eventgate.policy.model.RouteSettings;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;

/** An unknown Basic user costs the same time as a known user with a wrong password: timing tells no one which users exist. */
class UnknownUserTimingTest {
    static final int COST = 8;

    static Snapshot snapshot() {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        EdgeSettings settings = new EdgeSettings("n", new ServerSettings("127.0.0.1", 0, 0, 1024, 256, 100, null, null, false),
                new KafkaSettings("k:1", "http://r:1", null), new EventSettings(true, 0, new EventSettings.Journal(Path.of("/tmp/unused"), 0, 0, null, null)),
                Map.of("p", new PoolSettings(List.of(new PoolSettings.Instance("http://127.0.0.1:1", 1)), null, null, null, null, null)),
                List.of(new RouteSettings("r", new RouteSettings.Match(null, List.of("/**"), null, null), List.of(new RouteSettings.Destination("p", 1)),
                        null, null, null, null, null)))
                .withConsumers(Map.of("acme", new ConsumerSettings("gold", List.of(), null, OpenBSDBCrypt.generate("2b", "right".toCharArray(), salt, COST))),
                        Map.of("gold", new PlanSettings(10, 10)));
        return Snapshot.build(settings, 1, null);
    }

    static long nanosToRefuse(BasicAuthenticator basic, Snapshot snapshot, String user) {
        Exchange exchange = new Exchange(Protocol.HTTP, "GET", "/x", null, "h", "127.0.0.1", "http",
                RequestHeaders.of(Map.of("Authorization", List.of(CredentialGuessingTest.basic(user, "wrong")))), null, snapshot);
        long start = System.nanoTime();
        Identification found = basic.identify(exchange);
        long elapsed = System.nanoTime() - start;
        assertThat(found).isInstanceOf(Identification.Refused.class);
        return elapsed;
    }

    static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    @Test
    void anUnknownUserTakesAsLongAsAWrongPassword() {
        BasicAuthenticator basic = new BasicAuthenticator();
        Snapshot snapshot = snapshot();
        for (int i = 0; i < 5; i++) {
            nanosToRefuse(basic, snapshot, "acme");
            nanosToRefuse(basic, snapshot, "nobody");
        }
        int rounds = 21;
        long[] wrongPassword = new long[rounds];
        long[] unknownUser = new long[rounds];
        for (int i = 0; i < rounds; i++) { // interleaved, so whatever else this machine does weighs on both alike
            wrongPassword[i] = nanosToRefuse(basic, snapshot, "acme");
            unknownUser[i] = nanosToRefuse(basic, snapshot, "nobody-" + i);
        }
        double ratio = (double) median(unknownUser) / median(wrongPassword);
        assertThat(ratio).as("median time of an unknown user over that of a wrong password").isBetween(0.8, 1.2);
    }
}
