package io.eventgate.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.eventgate.demo.DemoUpstream;
import io.eventgate.edge.EdgeFixture;
import io.eventgate.edge.config.AuthSettings;
import io.eventgate.edge.config.EdgeSettings;
import io.eventgate.edge.config.IntrospectionSettings;
import io.eventgate.edge.config.JwtSettings;
import io.eventgate.edge.server.EdgeServer;
import io.eventgate.policy.model.ConsumerSettings;
import io.eventgate.policy.model.PlanSettings;
import io.eventgate.policy.model.RouteSettings;
import io.eventgate.testkit.KafkaExtension;
import io.eventgate.testkit.TestKafka;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * JWT bearer tokens (JWKS on loopback, rotated), HTTP Basic (bcrypt and Argon2id) and introspected opaque
 * tokens (an introspection endpoint on loopback) through a running edge: each good, wrong, expired,
 * not yet valid, tampered, wrong audience, unknown key, unsigned and algorithm-confused case.
 */
@ExtendWith(KafkaExtension.class)
class CredentialsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ISSUER = "https://issuer.test";
    static final String SECRET = "0123456789abcdef0123456789abcdef-hs";
    final HttpClient http = HttpClient.newHttpClient();
    final AtomicReference<JWKSet> published = new AtomicReference<>();
    final AtomicInteger introspections = new AtomicInteger();
    HttpServer authServer;
    DemoUpstream upstream;
    EdgeServer edge;
    RSAKey first;

    @BeforeEach
    void start(TestKafka kafka, @TempDir Path dir) throws Exception {
        first = new RSAKeyGenerator(2048).keyID("k1").generate();
        published.set(new JWKSet(first.toPublicJWK()));
        authServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        authServer.createContext("/jwks", exchange -> {
            byte[] body = published.get().toString(true).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        authServer.createContext("/introspect", exchange -> {
            introspections.incrementAndGet();
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            boolean client = ("Basic " + Base64.getEncoder().encodeToString("gateway:s3cret".getBytes())).equals(exchange.getRequestHeaders().getFirst("Authorization"));
            String answer = !client ? "{\"active\":false}"
                    : form.contains("token=opaque-good") ? "{\"active\":true,\"sub\":\"acme\",\"exp\":" + (Instant.now().getEpochSecond() + 60) + "}"
                    : form.contains("token=opaque-stranger") ? "{\"active\":true,\"sub\":\"stranger\"}"
                    : "{\"active\":false}";
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(client ? 200 : 401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        authServer.start();
        String auth = "http://127.0.0.1:" + authServer.getAddress().getPort();

        upstream = DemoUpstream.start("127.0.0.1", 0);
        RouteSettings api = new RouteSettings("api", new RouteSettings.Match(null, List.of("/api/**"), null, null),
                List.of(new RouteSettings.Destination("demo", 100)), "/api", "/echo", null, null, null, false);
        RouteSettings admin = new RouteSettings("admin", new RouteSettings.Match(null, List.of("/admin/**"), null, null),
                List.of(new RouteSettings.Destination("demo", 100)), "/admin", "/echo", null, null, null, false, false, null,
                new RouteSettings.Access(List.of("jwt"), List.of("admin"), List.of("127.0.0.1/32"), null));
        RouteSettings internal = new RouteSettings("internal", new RouteSettings.Match(null, List.of("/internal/**"), null, null),
                List.of(new RouteSettings.Destination("demo", 100)), null, null, null, null, null, true, false, null,
                new RouteSettings.Access(null, null, null, List.of("127.0.0.0/8")));
        EdgeSettings settings = EdgeFixture.settings(kafka, dir, Map.of("demo", EdgeFixture.pool(upstream.url())), List.of(api, admin, internal))
                .withConsumers(Map.of("acme", new ConsumerSettings("gold", List.of(ApiKeys.hash("acme-query-key")), null, bcrypt("acme-password")),
                                "bob", new ConsumerSettings("gold", List.of(), null, argon2id("bob-password"))),
                        Map.of("gold", new PlanSettings(1000, 1000)))
                .withAuth(new AuthSettings(null, "api_key",
                        new JwtSettings(List.of("RS256", "HS256"), ISSUER, List.of("eventgate"), auth + "/jwks", List.of(SECRET), null,
                                Duration.ofSeconds(30), null, Duration.ofMillis(100), true),
                        new IntrospectionSettings(auth + "/introspect", "gateway", "s3cret", null, Duration.ofSeconds(30), null, true)));
        edge = EdgeServer.start(settings);
    }

    @AfterEach
    void stop() throws Exception {
        edge.close();
        upstream.close();
        authServer.stop(0);
    }

    static String bcrypt(String password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return OpenBSDBCrypt.generate("2b", password.toCharArray(), salt, 6);
    }

    static String argon2id(String password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(8192).withIterations(2).withParallelism(1).withSalt(salt).build());
        byte[] hash = new byte[32];
        generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), hash);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return "$argon2id$v=19$m=8192,t=2,p=1$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().issuer(ISSUER).audience("eventgate").subject("acme")
                .expirationTime(Date.from(Instant.now().plusSeconds(300))).issueTime(new Date());
    }

    static String rs256(RSAKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    HttpResponse<String> call(String authorization) throws Exception {
        return call("/api/who", authorization);
    }

    HttpResponse<String> call(String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    int status(String authorization) throws Exception {
        return call(authorization).statusCode();
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void jwtBearerTokens() throws Exception {
        HttpResponse<String> good = call("Bearer " + rs256(first, claims().build()));
        assertThat(good.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(good.body()).path("headers").path("x-consumer-id").path(0).asText()).as("the upstream learns the consumer").isEqualTo("acme");

        assertThat(status("Bearer " + rs256(first, claims().expirationTime(Date.from(Instant.now().minusSeconds(120))).build())))
                .as("expired beyond the 30 s skew").isEqualTo(401);
        assertThat(status("Bearer " + rs256(first, claims().expirationTime(Date.from(Instant.now().minusSeconds(10))).build())))
                .as("expired within the skew").isEqualTo(200);
        assertThat(status("Bearer " + rs256(first, claims().notBeforeTime(Date.from(Instant.now().plusSeconds(120))).build())))
                .as("not yet valid").isEqualTo(401);
        assertThat(status("Bearer " + rs256(first, claims().audience("someone-else").build()))).as("wrong audience").isEqualTo(401);
        assertThat(status("Bearer " + rs256(first, claims().issuer("https://evil.test").build()))).as("wrong issuer").isEqualTo(401);
        assertThat(status("Bearer " + rs256(first, claims().subject("stranger").build()))).as("not a consumer").isEqualTo(401);

        String[] parts = rs256(first, claims().build()).split("\\.");
        String tampered = parts[0] + "." + Base64URL.encode(claims().subject("bob").build().toString()) + "." + parts[2];
        assertThat(status("Bearer " + tampered)).as("tampered claims").isEqualTo(401);

        assertThat(status("Bearer " + new PlainJWT(claims().build()).serialize())).as("alg none").isEqualTo(401);

        SignedJWT confused = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), claims().build());
        confused.sign(new MACSigner(first.toPublicJWK().toRSAPublicKey().getEncoded()));
        assertThat(status("Bearer " + confused.serialize())).as("HS256 signed with the RSA public key").isEqualTo(401);

        SignedJWT hs = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims().build());
        hs.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        assertThat(status("Bearer " + hs.serialize())).as("HS256 with the configured secret").isEqualTo(200);

        RSAKey second = new RSAKeyGenerator(2048).keyID("k2").generate();
        String rotatedToken = "Bearer " + rs256(second, claims().build());
        assertThat(status(rotatedToken)).as("a key the JWKS does not hold yet").isEqualTo(401);
        published.set(new JWKSet(List.of(first.toPublicJWK(), second.toPublicJWK())));
        await("the rotated JWKS is fetched for the unknown key id", () -> {
            try {
                return status(rotatedToken);
            } catch (Exception e) {
                return -1;
            }
        }, 200);

        HttpResponse<String> refused = call("Bearer " + rs256(first, claims().audience("x").build()));
        assertThat(refused.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("Bearer realm=\"eventgate\"");
        assertThat(refused.body()).as("the client learns nothing of what was wrong").doesNotContain("audience");
    }

    @Test
    void basicWithBcryptAndArgon2idHashes() throws Exception {
        assertThat(status(basic("acme", "acme-password"))).isEqualTo(200);
        assertThat(status(basic("acme", "acme-password"))).as("remembered").isEqualTo(200);
        assertThat(status(basic("bob", "bob-password"))).as("argon2id").isEqualTo(200);
        assertThat(status(basic("acme", "wrong"))).isEqualTo(401);
        assertThat(status(basic("nobody", "acme-password"))).isEqualTo(401);
        assertThat(status("Basic %%%not-base64")).isEqualTo(401);
        assertThat(call(null).headers().firstValue("WWW-Authenticate").orElseThrow()).contains("Basic realm=\"eventgate\"");
    }

    @Test
    void anApiKeyInTheQueryIsTakenAndNotPassedOn() throws Exception {
        HttpResponse<String> response = call("/api/who?x=1&api_key=acme-query-key&y=2", null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("query").asText()).as("the upstream never sees the key").isEqualTo("x=1&y=2");
        assertThat(call("/api/who?api_key=wrong", null).statusCode()).isEqualTo(401);
    }

    @Test
    void introspectedOpaqueTokens() throws Exception {
        assertThat(status("Bearer opaque-good")).isEqualTo(200);
        assertThat(status("Bearer opaque-good")).isEqualTo(200);
        assertThat(introspections.get()).as("the answer is kept").isEqualTo(1);
        assertThat(status("Bearer opaque-revoked")).as("inactive").isEqualTo(401);
        assertThat(status("Bearer opaque-stranger")).as("active, but not a consumer here").isEqualTo(401);

        authServer.stop(0);
        HttpResponse<String> unavailable = call("Bearer opaque-unknown");
        assertThat(unavailable.statusCode()).as("the token cannot be checked now").isEqualTo(503);
        assertThat(unavailable.headers().firstValue("Retry-After")).isPresent();
        assertThat(status("Bearer opaque-good")).as("a kept answer outlives the endpoint").isEqualTo(200);
    }

    @Test
    void routesChooseSchemesGroupsAndClients() throws Exception {
        assertThat(call("/admin/x", "Bearer " + rs256(first, claims().claim("scope", "read admin").build())).statusCode())
                .as("a token scope names the group").isEqualTo(200);
        HttpResponse<String> noGroup = call("/admin/x", "Bearer " + rs256(first, claims().claim("scope", "read").build()));
        assertThat(noGroup.statusCode()).as("identified, but in none of the route's groups").isEqualTo(403);
        assertThat(noGroup.body()).contains("forbidden").doesNotContain("admin");
        assertThat(call("/admin/x", basic("acme", "acme-password")).statusCode()).as("the route takes JWTs only").isEqualTo(401);
        assertThat(call("/admin/x", null).statusCode()).as("a route naming groups is never anonymous").isEqualTo(401);
        assertThat(call("/internal/x", null).statusCode()).as("the route's denyClients").isEqualTo(403);
    }

    static void await(String what, IntSupplier actual, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (actual.getAsInt() != expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(actual.getAsInt()).as(what).isEqualTo(expected);
    }
}
