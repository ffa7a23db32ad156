package dev.hato.auth.token;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import java.security.Key;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Set;
import javax.crypto.SecretKey;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Where the keys that sign access tokens come from: one configured key ({@link #fixed}) or an issuer's JWKS
 * document ({@link RemoteJwks}), and which algorithms they may be used with. RFC 8725 §3.1: the key decides the
 * algorithm; a token's header may only pick among these.
 */
public interface TokenKeySource {

    /** RSA keys: PKCS#1 v1.5 and PSS signatures. */
    Set<JWSAlgorithm> RSA = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512);

    /** EC keys, each curve with its own hash (RFC 7518 §3.4). */
    Set<JWSAlgorithm> EC = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    /** The algorithms a token may name; any other is refused before a key is looked for. */
    Set<JWSAlgorithm> algorithms();

    /**
     * The keys to verify a token whose header names {@code keyId} (null when it names none). A source that cannot
     * produce any key (its key server unreachable and nothing known yet) fails, which the caller reports as a
     * temporary failure, never as a verdict on the token.
     */
    Mono<JWKSet> keys(@Nullable String keyId);

    /** One configured key: an HMAC secret (HS256), or an RSA or EC public key. */
    static TokenKeySource fixed(Key key) {
        JWK jwk;
        Set<JWSAlgorithm> algorithms;
        if (key instanceof SecretKey secret) {
            jwk = new OctetSequenceKey.Builder(secret.getEncoded()).build();
            algorithms = Set.of(JWSAlgorithm.HS256);
        } else if (key instanceof RSAPublicKey rsa) {
            jwk = new RSAKey.Builder(rsa).build();
            algorithms = RSA;
        } else if (key instanceof ECPublicKey ec) {
            Curve curve = Curve.forECParameterSpec(ec.getParams());
            if (curve == null || Curve.P_256K.equals(curve)) {
                throw new IllegalArgumentException("token key: EC keys must be on P-256, P-384 or P-521");
            }
            jwk = new ECKey.Builder(curve, ec).build();
            algorithms = Set.of(curve.equals(Curve.P_256) ? JWSAlgorithm.ES256
                    : curve.equals(Curve.P_384) ? JWSAlgorithm.ES384 : JWSAlgorithm.ES512);
        } else {
            throw new IllegalArgumentException("token key must be RSA, EC or an HMAC secret, not "
                    + key.getAlgorithm());
        }
        JWKSet set = new JWKSet(jwk);
        return new TokenKeySource() {
            @Override
            public Set<JWSAlgorithm> algorithms() {
                return algorithms;
            }

            @Override
            public Mono<JWKSet> keys(@Nullable String keyId) {
                return Mono.just(set);
            }
        };
    }
}
