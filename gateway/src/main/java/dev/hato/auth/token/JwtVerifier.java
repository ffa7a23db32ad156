package dev.hato.auth.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.Key;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * Verifies a compact JWS access token (RFC 7515/7519, RFC 9068) with Nimbus JOSE+JWT: the algorithm must be one the
 * key source allows (no "none", no switching an RSA key to HMAC), the header's {@code typ} absent, {@code JWT} or
 * {@code at+jwt}, the signature made by a key of the source (by {@code kid} when the header names one), then
 * {@code iss}, {@code aud}, {@code exp}, {@code nbf} and the auth ID claim. Only looking the keys up may wait (a
 * JWKS fetch, asynchronous); the checks are CPU only.
 */
public final class JwtVerifier {

    /** The verdict: the auth ID, a refusal (the reason is for logs, never shown to clients), or no keys to check. */
    public sealed interface Result {
        /** A trusted token naming {@code authId}. */
        record Valid(String authId) implements Result { }

        /** A token that must not be trusted. */
        record Invalid(String reason) implements Result { }

        /** The keys could not be had (key server down, nothing known yet): a temporary failure, not a verdict. */
        record Unavailable(String reason) implements Result { }

        default boolean valid() {
            return this instanceof Valid;
        }
    }

    private static final int MAX_TOKEN_LENGTH = 16 * 1024;
    private static final Set<JOSEObjectType> TYPES = Set.of(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"));
    private static final DefaultJWSVerifierFactory VERIFIERS = new DefaultJWSVerifierFactory();

    private final TokenSettings settings;
    private final TokenKeySource keys;

    public JwtVerifier(TokenSettings settings, TokenKeySource keys) {
        this.settings = settings;
        this.keys = keys;
    }

    public Mono<Result> verify(String token, Instant now) {
        if (token.length() > MAX_TOKEN_LENGTH) {
            return Mono.just(new Result.Invalid("token too long"));
        }
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException | RuntimeException malformed) {
            return Mono.just(new Result.Invalid("not a compact JWS: " + malformed.getMessage()));
        }
        JWSHeader header = jwt.getHeader();
        if (!keys.algorithms().contains(header.getAlgorithm())) {
            return Mono.just(new Result.Invalid("algorithm " + header.getAlgorithm() + " not allowed for the key"));
        }
        if (header.getType() != null && !TYPES.contains(header.getType())) {
            return Mono.just(new Result.Invalid("token type " + header.getType()));
        }
        return keys.keys(header.getKeyID())
                .map(set -> check(jwt, set, now))
                .onErrorResume(error -> Mono.just(new Result.Unavailable("token keys unavailable: "
                        + error.getMessage())));
    }

    private Result check(SignedJWT jwt, JWKSet set, Instant now) {
        JWSHeader header = jwt.getHeader();
        JWKMatcher matcher = JWKMatcher.forJWSHeader(header);
        List<JWK> candidates = new JWKSelector(matcher).select(set);
        if (candidates.isEmpty() && header.getKeyID() != null) {
            // A key published without a kid (the one configured key, or such a JWKS entry) may sign any token.
            candidates = new JWKSelector(new JWKMatcher.Builder(matcher).keyID(null).build()).select(set).stream()
                    .filter(key -> key.getKeyID() == null)
                    .toList();
        }
        if (candidates.isEmpty()) {
            return new Result.Invalid("no key " + (header.getKeyID() == null ? "" : header.getKeyID() + " ")
                    + "for " + header.getAlgorithm());
        }
        try {
            for (JWK candidate : candidates) {
                JWSVerifier verifier = VERIFIERS.createJWSVerifier(header, javaKey(candidate));
                if (jwt.verify(verifier)) {
                    return checkClaims(jwt.getJWTClaimsSet(), now);
                }
            }
        } catch (JOSEException | ParseException | IllegalStateException e) {
            return new Result.Invalid("cannot verify: " + e.getMessage());
        }
        return new Result.Invalid("bad signature");
    }

    private static Key javaKey(JWK key) throws JOSEException {
        if (key instanceof RSAKey rsa) {
            return rsa.toRSAPublicKey();
        }
        if (key instanceof ECKey ec) {
            return ec.toECPublicKey();
        }
        if (key instanceof OctetSequenceKey secret) {
            return secret.toSecretKey("HmacSHA256");
        }
        throw new JOSEException("unsupported key type " + key.getKeyType());
    }

    private Result checkClaims(JWTClaimsSet claims, Instant now) throws ParseException {
        if (!settings.issuer().equals(claims.getIssuer())) {
            return new Result.Invalid("wrong issuer");
        }
        String audience = settings.audience();
        if (audience != null && !claims.getAudience().contains(audience)) {
            return new Result.Invalid("wrong audience");
        }
        long skew = settings.clockSkew().getSeconds();
        Date exp = claims.getExpirationTime();
        if (exp == null || now.getEpochSecond() > exp.toInstant().getEpochSecond() + skew) {
            return new Result.Invalid("expired or no exp");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.getEpochSecond() + skew < nbf.toInstant().getEpochSecond()) {
            return new Result.Invalid("not yet valid");
        }
        String authId = claims.getStringClaim(settings.authIdClaim());
        if (authId == null || authId.isBlank()) {
            return new Result.Invalid("no " + settings.authIdClaim() + " claim");
        }
        return new Result.Valid(authId);
    }
}
