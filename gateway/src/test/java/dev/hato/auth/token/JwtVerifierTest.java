package dev.hato.auth.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JwtVerifierTest {

    private static final String ISSUER = "https://portal.example.test";
    private static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");
    private static final long LATER = NOW.getEpochSecond() + 3600;

    private final Key secret = TokenKeys.hmacSecret("0123456789abcdef0123456789abcdef-secret");

    private JwtVerifier verifier(Key key, String audience) {
        return new JwtVerifier(new TokenSettings(ISSUER, audience, "sub", Duration.ofSeconds(60)),
                TokenKeySource.fixed(key));
    }

    @Test
    void hs256TokenShouldYieldTheAuthId() throws Exception {
        String token = TestTokens.hs256(secret, TestTokens.claims(ISSUER, "abcd.e.fg-x7q2", LATER));
        assertThat(verifier(secret, null).verify(token, NOW).block())
                .isEqualTo(new JwtVerifier.Result.Valid("abcd.e.fg-x7q2"));
    }

    @Test
    void rs256AndEs256TokensShouldVerifyWithTheirPublicKeys() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair rsaPair = rsa.generateKeyPair();
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair ecPair = ec.generateKeyPair();
        String claims = TestTokens.claims(ISSUER, "user-1", LATER);
        assertThat(verifier(rsaPair.getPublic(), null).verify(TestTokens.rs256(rsaPair.getPrivate(), claims), NOW).block()
                .valid()).isTrue();
        for (int i = 0; i < 20; i++) { // ES256 signatures vary in length in DER; JOSE must not
            assertThat(verifier(ecPair.getPublic(), null).verify(TestTokens.es256(ecPair.getPrivate(), claims), NOW).block()
                    .valid()).isTrue();
        }
        assertThat(verifier(ecPair.getPublic(), null).verify(TestTokens.rs256(rsaPair.getPrivate(), claims), NOW).block()
                .valid()).as("an RS256 token against an EC key").isFalse();
    }

    @Test
    void tokensThatMustNotPassShouldBeRefused() throws Exception {
        JwtVerifier verifier = verifier(secret, "hato");
        String good = "{\"iss\":\"" + ISSUER + "\",\"aud\":[\"other\",\"hato\"],\"sub\":\"u\",\"exp\":" + LATER + "}";
        assertThat(verifier.verify(TestTokens.hs256(secret, good), NOW).block().valid()).isTrue();
        assertThat(verifier.verify(TestTokens.none(good), NOW).block().valid()).as("alg none").isFalse();
        assertThat(verifier.verify(TestTokens.hs256(TokenKeys.hmacSecret("another-secret-of-at-least-32-bytes!"),
                good), NOW).block().valid()).as("other key").isFalse();
        assertThat(verifier.verify(TestTokens.hs256(secret, TestTokens.claims("https://evil", "u", LATER)), NOW).block()
                .valid()).as("other issuer").isFalse();
        String noAudience = TestTokens.claims(ISSUER, "u", LATER);
        assertThat(verifier.verify(TestTokens.hs256(secret, noAudience), NOW).block().valid()).as("no audience").isFalse();
        String expired = "{\"iss\":\"" + ISSUER + "\",\"aud\":\"hato\",\"sub\":\"u\",\"exp\":"
                + (NOW.getEpochSecond() - 61) + "}";
        assertThat(verifier.verify(TestTokens.hs256(secret, expired), NOW).block().valid()).as("expired").isFalse();
        String withinSkew = expired.replace(Long.toString(NOW.getEpochSecond() - 61),
                Long.toString(NOW.getEpochSecond() - 30));
        assertThat(verifier.verify(TestTokens.hs256(secret, withinSkew), NOW).block().valid()).as("skew").isTrue();
        String notYet = "{\"iss\":\"" + ISSUER + "\",\"aud\":\"hato\",\"sub\":\"u\",\"exp\":" + LATER
                + ",\"nbf\":" + (NOW.getEpochSecond() + 600) + "}";
        assertThat(verifier.verify(TestTokens.hs256(secret, notYet), NOW).block().valid()).as("nbf").isFalse();
        String noSubject = "{\"iss\":\"" + ISSUER + "\",\"aud\":\"hato\",\"exp\":" + LATER + "}";
        assertThat(verifier.verify(TestTokens.hs256(secret, noSubject), NOW).block().valid()).as("no sub").isFalse();
        for (String garbage : new String[] {"", "a.b", "a.b.c", "..", "x".repeat(20_000)}) {
            assertThat(verifier.verify(garbage, NOW).block().valid()).as(garbage).isFalse();
        }
    }

    @Test
    void theKeyShouldDecideTheAlgorithm() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair pair = rsa.generateKeyPair();
        String claims = TestTokens.claims(ISSUER, "user-1", LATER);
        // RFC 8725 §2.1: an HS256 token "signed" with the RSA public key's bytes as the secret must not pass.
        Key publicAsSecret = new javax.crypto.spec.SecretKeySpec(pair.getPublic().getEncoded(), "HmacSHA256");
        JwtVerifier.Result confused = verifier(pair.getPublic(), null)
                .verify(TestTokens.hs256(publicAsSecret, claims), NOW).block();
        assertThat(confused).isInstanceOf(JwtVerifier.Result.Invalid.class);
        // RFC 9068 access tokens carry typ at+jwt; other types (an ID token's, a logout token's) are refused.
        assertThat(verifier(pair.getPublic(), null)
                .verify(TestTokens.rs256(pair.getPrivate(), "k1", "at+jwt", claims), NOW).block())
                .isEqualTo(new JwtVerifier.Result.Valid("user-1"));
        assertThat(verifier(pair.getPublic(), null)
                .verify(TestTokens.rs256(pair.getPrivate(), "k1", "logout+jwt", claims), NOW).block().valid())
                .isFalse();
    }
}
