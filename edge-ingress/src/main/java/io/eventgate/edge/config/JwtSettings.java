package io.eventgate.edge.config;

import io.eventgate.policy.model.Check;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * JWT bearer tokens: the algorithms accepted (an explicit list; {@code none} never), the issuer and audiences a
 * token must name, where the signing keys come from ({@code jwksUrl} for RS/ES/PS/EdDSA, fetched and cached,
 * fetched again for an unknown key id at most every {@code jwksMinRefresh}; {@code hsSecrets} for HS
 * algorithms only), the claim naming the consumer, and the clock skew allowed on {@code exp} and {@code nbf}. The JWKS
 * comes over https only, since whoever can change its keys can mint any token; plain http takes
 * {@code allowInsecureHttp: true}.
 */
public record JwtSettings(List<String> algorithms, String issuer, List<String> audiences, String jwksUrl, List<String> hsSecrets,
                          String consumerClaim, Duration clockSkew, Duration jwksCacheTtl, Duration jwksMinRefresh, boolean allowInsecureHttp) {
    public JwtSettings(List<String> algorithms, String issuer, List<String> audiences, String jwksUrl, List<String> hsSecrets,
                       String consumerClaim, Duration clockSkew, Duration jwksCacheTtl, Duration jwksMinRefresh) {
        this(algorithms, issuer, audiences, jwksUrl, hsSecrets, consumerClaim, clockSkew, jwksCacheTtl, jwksMinRefresh, false);
    }

    private static final Set<String> ASYMMETRIC = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519");
    private static final Set<String> SYMMETRIC = Set.of("HS256", "HS384", "HS512");

    public JwtSettings {
        Check.required(algorithms, "jwt.algorithms");
        algorithms = List.copyOf(algorithms);
        if (algorithms.isEmpty()) {
            throw new IllegalArgumentException("jwt.algorithms must list at least one algorithm, e.g. [RS256]");
        }
        hsSecrets = List.copyOf(Check.orDefault(hsSecrets, List.of()));
        for (String algorithm : algorithms) {
            if (algorithm.toLowerCase(Locale.ROOT).equals("none")) {
                throw new IllegalArgumentException("jwt.algorithms: 'none' would accept unsigned tokens");
            }
            if (!ASYMMETRIC.contains(algorithm) && !SYMMETRIC.contains(algorithm)) {
                throw new IllegalArgumentException("jwt.algorithms: unknown algorithm '" + algorithm + "' (accepted: " + ASYMMETRIC + " and " + SYMMETRIC + ")");
            }
            if (SYMMETRIC.contains(algorithm) && hsSecrets.isEmpty()) {
                throw new IllegalArgumentException("jwt.algorithms: " + algorithm + " needs jwt.hsSecrets");
            }
            if (ASYMMETRIC.contains(algorithm) && (jwksUrl == null || jwksUrl.isBlank())) {
                throw new IllegalArgumentException("jwt.algorithms: " + algorithm + " needs jwt.jwksUrl");
            }
        }
        for (String secret : hsSecrets) {
            if (secret.length() < 32) {
                throw new IllegalArgumentException("jwt.hsSecrets: each secret needs at least 32 characters (256 bits)");
            }
        }
        if (jwksUrl != null && !jwksUrl.isBlank()) {
            String scheme = URI.create(jwksUrl).getScheme();
            if (!"https".equals(scheme) && !"http".equals(scheme)) {
                throw new IllegalArgumentException("jwt.jwksUrl must be an https URL, was " + jwksUrl);
            }
            if ("http".equals(scheme) && !allowInsecureHttp) {
                throw new IllegalArgumentException("jwt.jwksUrl must be https: keys fetched over plain http can be replaced on the way,"
                        + " and then any token verifies; set jwt.allowInsecureHttp: true only for a JWKS on a trusted network, was " + jwksUrl);
            }
        }
        Check.required(issuer, "jwt.issuer");
        Check.required(audiences, "jwt.audiences");
        audiences = List.copyOf(audiences);
        if (audiences.isEmpty()) {
            throw new IllegalArgumentException("jwt.audiences must name at least one audience");
        }
        consumerClaim = consumerClaim == null || consumerClaim.isBlank() ? "sub" : consumerClaim;
        clockSkew = clockSkew == null ? Duration.ofSeconds(30) : clockSkew;
        if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("jwt.clockSkew must be between 0 and 5m, was " + clockSkew);
        }
        jwksCacheTtl = jwksCacheTtl == null ? Duration.ofMinutes(5) : Check.positive(jwksCacheTtl, "jwt.jwksCacheTtl");
        jwksMinRefresh = jwksMinRefresh == null ? Duration.ofSeconds(30) : jwksMinRefresh;
        if (jwksMinRefresh.isNegative()) {
            throw new IllegalArgumentException("jwt.jwksMinRefresh must not be negative");
        }
    }

    public boolean symmetric(String algorithm) {
        return SYMMETRIC.contains(algorithm);
    }
}
