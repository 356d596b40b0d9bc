package io.eventgate.analytics.query;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The instances of this app, from Kafka Streams' metadata: which one owns a key of a store, which others exist,
 * and how to ask one of them. A forwarded query carries {@link #FORWARDED} so the receiver answers from its own
 * stores only, even while a rebalance makes the two disagree about who owns what.
 */
final class Instances {
    static final String FORWARDED = "X-Eventgate-Forwarded";

    /** Thrown while the metadata or the stores are being rebuilt: the caller answers 503 and the client retries. */
    static final class NotReady extends RuntimeException {
        NotReady(String message) {
            super(message);
        }
    }

    /** Thrown when another instance cannot be reached or answers with an error. */
    static final class PeerFailed extends RuntimeException {
        PeerFailed(String message) {
            super(message);
        }
    }

    private final KafkaStreams streams;
    private final HostInfo self;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    Instances(KafkaStreams streams, HostInfo self) {
        this.streams = streams;
        this.self = self;
    }

    /** The instance that owns {@code key} in {@code store}, or empty when it is this one. */
    Optional<HostInfo> ownerOf(String store, String key) {
        KeyQueryMetadata metadata = streams.queryMetadataForKey(store, key, new StringSerializer());
        if (metadata == null || KeyQueryMetadata.NOT_AVAILABLE.equals(metadata)) {
            throw new NotReady("the owner of " + key + " is not known yet (the app is starting or rebalancing)");
        }
        return metadata.activeHost().equals(self) ? Optional.empty() : Optional.of(metadata.activeHost());
    }

    /** Every other instance that holds part of {@code store}. */
    List<HostInfo> others(String store) {
        return streams.streamsMetadataForStore(store).stream().map(m -> m.hostInfo()).filter(host -> !host.equals(self)).distinct().toList();
    }

    /** GETs {@code pathAndQuery} from {@code host} as a forwarded query and returns its JSON body. */
    String get(HostInfo host, String pathAndQuery) {
        URI uri = URI.create("http://" + host.host() + ":" + host.port() + pathAndQuery);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).header(FORWARDED, "true").GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 503) {
                throw new NotReady("instance " + host + " is not ready");
            }
            if (response.statusCode() != 200) {
                throw new PeerFailed("instance " + host + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new PeerFailed("instance " + host + " is unreachable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerFailed("interrupted while asking " + host);
        }
    }
}
