package io.eventgate.edge.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.eventgate.edge.config.JwtSettings;
import io.eventgate.edge.pipeline.Exchange;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * JWT bearer tokens, verified by Nimbus JOSE+JWT: only the configured algorithms; RS/ES/PS/EdDSA keys only from
 * the JWKS (cached, fetched again for an unknown key id), HS keys only from the configured secrets, so a
 * public key can never serve as an HMAC secret; unsigned tokens refused; issuer, audience, {@code exp} and
 * {@code nbf} checked within the clock skew; the consumer named by the configured claim.
 */
final class JwtAuthenticator implements Authenticator {
    private static final int JWKS_TIMEOUT_MILLIS = 2_000;
    private static final int JWKS_SIZE_LIMIT = 256 * 1024;

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final String consumerClaim;

    JwtAuthenticator(JwtSettings settings) {
        this.consumerClaim = settings.consumerClaim();
        Set<JWSAlgorithm> symmetric = settings.algorithms().stream().filter(settings::symmetric).map(JWSAlgorithm::parse).collect(Collectors.toSet());
        Set<JWSAlgorithm> asymmetric = settings.algorithms().stream().filter(a -> !settings.symmetric(a)).map(JWSAlgorithm::parse).collect(Collectors.toSet());
        JWSVerificationKeySelector<SecurityContext> secrets = symmetric.isEmpty() ? null : new JWSVerificationKeySelector<>(symmetric,
                new ImmutableJWKSet<>(new JWKSet(settings.hsSecrets().stream()
                        .<JWK>map(secret -> new OctetSequenceKey.Builder(secret.getBytes(StandardCharsets.UTF_8)).build()).toList())));
        JWSVerificationKeySelector<SecurityContext> published;
        try {
            published = asymmetric.isEmpty() ? null : new JWSVerificationKeySelector<>(asymmetric,
                    JWKSourceBuilder.<SecurityContext>create(URI.create(settings.jwksUrl()).toURL(),
                                    new DefaultResourceRetriever(JWKS_TIMEOUT_MILLIS, JWKS_TIMEOUT_MILLIS, JWKS_SIZE_LIMIT))
                            .cache(settings.jwksCacheTtl().toMillis(), JWKS_TIMEOUT_MILLIS)
                            .rateLimited(settings.jwksMinRefresh().toMillis())
                            .build());
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("jwt.jwksUrl is not a URL: " + settings.jwksUrl(), e);
        }
        processor.setJWSKeySelector((header, context) -> {
            if (secrets != null && symmetric.contains(header.getAlgorithm())) {
                return secrets.selectJWSKeys(header, context);
            }
            if (published != null && asymmetric.contains(header.getAlgorithm())) {
                return published.selectJWSKeys(header, context);
            }
            return List.of();
        });
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(new HashSet<>(settings.audiences()),
                new JWTClaimsSet.Builder().issuer(settings.issuer()).build(), Set.of("exp", consumerClaim), null);
        claims.setMaxClockSkew((int) settings.clockSkew().toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    @Override
    public Identification identify(Exchange exchange) {
        String token = Authenticator.bearer(exchange);
        if (token == null || token.chars().filter(c -> c == '.').count() != 2) {
            return Identification.ABSENT; // not a JWT: perhaps an opaque token for introspection
        }
        String fingerprint = ApiKeys.fingerprint("jwt", token);
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException | BadJOSEException | JOSEException e) {
            return Identification.Refused.unauthenticated("bearer token refused: " + e.getMessage(), fingerprint);
        }
        Object consumer = claims.getClaim(consumerClaim);
        if (!(consumer instanceof String id) || !exchange.snapshot().settings().consumers().containsKey(id)) {
            return Identification.Refused.unauthenticated("the token's " + consumerClaim + " '" + consumer + "' is not a consumer here", fingerprint);
        }
        Object scopes = claims.getClaim("scope") != null ? claims.getClaim("scope") : claims.getClaim("scp");
        return new Identification.Identified(id, Authenticator.scopes(scopes));
    }

    @Override
    public String method() {
        return "jwt";
    }

    @Override
    public String challenge() {
        return "Bearer realm=\"eventgate\"";
    }
}
