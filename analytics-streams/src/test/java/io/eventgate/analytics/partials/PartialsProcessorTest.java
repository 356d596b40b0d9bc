package io.eventgate.analytics.partials;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventgate.avro.RequestEvent;
import io.eventgate.avro.RequestOutcome;
import io.eventgate.schemas.Topic;
import io.eventgate.schemas.serde.ContractSerdes;
import io.eventgate.testkit.RegistryExtension;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Requests combined per key and window, forwarded once per interval in request-time order, and kept over a commit. */
@ExtendWith(RegistryExtension.class)
class PartialsProcessorTest {
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    static final Duration EVERY = Duration.ofSeconds(1);

    /** The partial of the test: bytes out summed. */
    static final class Total {
        long bytesOut;

        static Serde<Total> serde() {
            return Serdes.serdeFrom((topic, total) -> ByteBuffer.allocate(8).putLong(total.bytesOut).array(), (topic, bytes) -> {
                Total total = new Total();
                total.bytesOut = ByteBuffer.wrap(bytes).getLong();
                return total;
            });
        }
    }

    @TempDir
    Path state;
    TopologyTestDriver driver;
    TestInputTopic<String, RequestEvent> requests;
    TestOutputTopic<String, Long> partials;

    @BeforeEach
    void start(RegistryExtension.TestRegistry registry) {
        ContractSerdes serdes = ContractSerdes.of(registry.url());
        StreamsBuilder builder = new StreamsBuilder();
        var spec = new PartialsProcessor.Spec<>("partials", Duration.ofMinutes(1), RequestEvent::getRouteId, Total::new,
                (Total total, RequestEvent request) -> total.bytesOut += request.getBytesOut(), Total.serde(), EVERY);
        builder.stream("requests", Consumed.with(Serdes.String(), serdes.<RequestEvent>serde(Topic.REQUESTS)))
                .process(PartialsProcessor.supplier(spec))
                .mapValues(total -> total.bytesOut)
                .to("partials", Produced.with(Serdes.String(), Serdes.Long()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "partials-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(builder.build(), props);
        requests = driver.createInputTopic("requests", new StringSerializer(), serdes.<RequestEvent>serde(Topic.REQUESTS).serializer());
        partials = driver.createOutputTopic("partials", new StringDeserializer(), new LongDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    void request(String route, Instant at, long bytesOut) {
        requests.pipeInput("acme", RequestEvent.newBuilder().setRequestId("r").setTraceId("0".repeat(32)).setTimestamp(at).setNode("edge-1")
                .setRouteId(route).setMethod("GET").setPath("/x").setStatus(200).setGatewayLatencyMicros(1).setBytesIn(0).setBytesOut(bytesOut).setConsumerId("acme")
                .setClientAddress("203.0.113.1").setOutcome(RequestOutcome.PROXIED).build(), at);
    }

    @Test
    void oneRecordPerKeyAndWindowPerIntervalOldestFirstAtItsLatestRequest() {
        request("api", T0.plusSeconds(70), 1);
        request("web", T0.plusSeconds(10), 10);
        request("api", T0.plusSeconds(20), 100);
        request("api", T0.plusSeconds(30), 1_000);
        assertThat(partials.isEmpty()).as("nothing before the interval ends").isTrue();

        driver.advanceWallClockTime(EVERY);
        assertThat(partials.readRecordsToList()).extracting(TestRecord::key, TestRecord::value, TestRecord::getRecordTime).containsExactly(
                org.assertj.core.groups.Tuple.tuple("web", 10L, T0.plusSeconds(10)),
                org.assertj.core.groups.Tuple.tuple("api", 1_100L, T0.plusSeconds(30)),
                org.assertj.core.groups.Tuple.tuple("api", 1L, T0.plusSeconds(70)));

        request("api", T0.plusSeconds(80), 5);
        driver.advanceWallClockTime(EVERY);
        assertThat(partials.readRecordsToList()).extracting(TestRecord::key, TestRecord::value)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("api", 5L));
    }

    @Test
    void whatACommitKeptIsForwardedAfterTheMemoryIsLost() {
        request("api", T0.plusSeconds(10), 10);
        request("api", T0.plusSeconds(20), 20); // each input is committed by the driver: the partial is in the changelogged store
        @SuppressWarnings("unchecked")
        PartialsStore<Total> store = (PartialsStore<Total>) driver.getStateStore("partials");
        store.clearCache();                      // what a crash loses
        store.recover();                         // what the restarted task takes back

        driver.advanceWallClockTime(EVERY);
        assertThat(partials.readRecordsToList()).extracting(TestRecord::key, TestRecord::value)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("api", 30L));
        driver.advanceWallClockTime(EVERY);
        assertThat(partials.isEmpty()).as("forwarded partials leave the store").isTrue();
    }
}
