package dev.hato.auth.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/** Keys from an issuer's JWKS URL, served by a real HTTP server on loopback that rotates its keys. */
class RemoteJwksTest {

    private static final String ISSUER = "https://idp.example.test";
    private static final Duration REFRESH = Duration.ofMinutes(10);

    private final AtomicReference<String> document = new AtomicReference<>("{\"keys\":[]}");
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicInteger requests = new AtomicInteger();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T07:00:00Z"));
    private HttpServer server;
    private URI url;

    @BeforeEach
    void serve() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/jwks", exchange -> {
            requests.incrementAndGet();
            byte[] body = document.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/jwk-set+json");
            exchange.sendResponseHeaders(status.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks");
    }

    @AfterEach
    void stop() {
        try {
            server.stop(0);
        } catch (IllegalStateException alreadyStopped) {
            // the outage test stopped it itself
        }
    }

    @Test
    void rotatedKeysShouldBeFetchedWhenATokenNamesANewKeyId() throws Exception {
        KeyPair first = rsa();
        KeyPair second = rsa();
        publish(jwk(first, "k1"));
        JwtVerifier verifier = verifier();

        assertThat(verify(verifier, first, "k1")).isEqualTo(new JwtVerifier.Result.Valid("abcd.e.fg-x7q2"));
        assertThat(verify(verifier, first, "k1").valid()).isTrue();
        assertThat(requests.get()).as("the set is fetched once and kept").isEqualTo(1);

        // The issuer rotates: k2 replaces k1. A token naming k2 makes Hato look again (once the short pause
        // between fetches is over), and k1's tokens are refused from then on.
        publish(jwk(second, "k2"));
        clock.advance(RemoteJwks.MIN_FETCH_INTERVAL.plusSeconds(1));
        assertThat(verify(verifier, second, "k2").valid()).isTrue();
        assertThat(requests.get()).isEqualTo(2);
        assertThat(verify(verifier, first, "k1")).isInstanceOf(JwtVerifier.Result.Invalid.class);
        assertThat(requests.get()).as("k1 is unknown, but the pause holds").isEqualTo(2);
    }

    @Test
    void madeUpKeyIdsShouldNotMakeHatoHammerTheKeyServer() throws Exception {
        KeyPair pair = rsa();
        publish(jwk(pair, "k1"));
        JwtVerifier verifier = verifier();
        assertThat(verify(verifier, pair, "k1").valid()).isTrue();
        clock.advance(RemoteJwks.MIN_FETCH_INTERVAL.plusSeconds(1));
        List<JwtVerifier.Result> results = Flux.range(0, 200)
                .flatMap(i -> verifier.verify(token(pair, "made-up-" + i), clock.instant()), 200)
                .collectList().block(Duration.ofSeconds(30));
        assertThat(results).hasSize(200).allMatch(result -> result instanceof JwtVerifier.Result.Invalid);
        assertThat(requests.get()).as("at most one more fetch for 200 unknown key IDs").isEqualTo(2);
    }

    @Test
    void concurrentFirstLoginsShouldShareOneFetch() throws Exception {
        KeyPair pair = rsa();
        publish(jwk(pair, "k1"));
        JwtVerifier verifier = verifier();
        List<JwtVerifier.Result> results = Flux.range(0, 50)
                .flatMap(i -> verifier.verify(token(pair, "k1"), clock.instant()), 50)
                .collectList().block(Duration.ofSeconds(30));
        assertThat(results).hasSize(50).allMatch(JwtVerifier.Result::valid);
        assertThat(requests.get()).isEqualTo(1);
    }

    @Test
    void aKeyServerOutageShouldKeepTheKnownKeysAndNeverGiveAVerdictWithoutThem() throws Exception {
        KeyPair pair = rsa();
        publish(jwk(pair, "k1"));
        JwtVerifier nothingKnown = verifier();
        status.set(503);
        assertThat(verify(nothingKnown, pair, "k1")).as("no keys yet: a temporary failure")
                .isInstanceOf(JwtVerifier.Result.Unavailable.class);

        status.set(200);
        JwtVerifier verifier = verifier();
        assertThat(verify(verifier, pair, "k1").valid()).isTrue();
        server.stop(0);
        clock.advance(REFRESH.plusMinutes(1));
        assertThat(verify(verifier, pair, "k1").valid()).as("stale, refetch fails, the known key still serves")
                .isTrue();
    }

    @Test
    void onlyPublicSigningKeysFromTheSetShouldCount() throws Exception {
        KeyPair pair = rsa();
        byte[] secret = "a shared secret that must never come from a URL".getBytes(StandardCharsets.UTF_8);
        OctetSequenceKey oct = new OctetSequenceKey.Builder(secret).keyID("hmac").build();
        RSAKey forEncryption = new RSAKey.Builder((RSAPublicKey) pair.getPublic()).keyID("enc")
                .keyUse(com.nimbusds.jose.jwk.KeyUse.ENCRYPTION).build();
        document.set("{\"keys\":[" + oct.toJSONString() + "," + forEncryption.toJSONString() + ","
                + jwk(pair, "sig").toJSONString() + "]}");
        JwtVerifier verifier = verifier();
        String claims = TestTokens.claims(ISSUER, "abcd.e.fg-x7q2", clock.instant().getEpochSecond() + 600);
        assertThat(verifier.verify(TestTokens.hs256(new javax.crypto.spec.SecretKeySpec(secret, "HmacSHA256"),
                claims), clock.instant()).block().valid()).as("HS256 with a key from the URL").isFalse();
        assertThat(verify(verifier, pair, "enc").valid()).as("a key meant for encryption").isFalse();
        assertThat(verify(verifier, pair, "sig").valid()).isTrue();
    }

    @Test
    void anEndlessAnswerShouldBeCutOff() throws Exception {
        KeyPair pair = rsa();
        document.set("{\"keys\":[" + jwk(pair, "k1").toJSONString() + "],\"padding\":\""
                + "x".repeat(RemoteJwks.MAX_BODY) + "\"}");
        assertThat(verify(verifier(), pair, "k1")).isInstanceOf(JwtVerifier.Result.Unavailable.class);
    }

    private JwtVerifier verifier() {
        RemoteJwks keys = new RemoteJwks(url, REFRESH, Duration.ofSeconds(5), clock);
        return new JwtVerifier(new TokenSettings(ISSUER, null, "sub", Duration.ofSeconds(60)), keys);
    }

    private JwtVerifier.Result verify(JwtVerifier verifier, KeyPair pair, String keyId) throws Exception {
        return verifier.verify(token(pair, keyId), clock.instant()).block(Duration.ofSeconds(30));
    }

    private String token(KeyPair pair, String keyId) {
        try {
            return TestTokens.rs256(pair.getPrivate(), keyId, "JWT",
                    TestTokens.claims(ISSUER, "abcd.e.fg-x7q2", clock.instant().getEpochSecond() + 600));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void publish(JWK... keys) {
        document.set(new JWKSet(List.of(keys)).toString(true));
    }

    private static JWK jwk(KeyPair pair, String keyId) {
        return new RSAKey.Builder((RSAPublicKey) pair.getPublic()).keyID(keyId).build();
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    /** A clock the test moves forward, to pass the refresh period and the pause between fetches. */
    private static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
