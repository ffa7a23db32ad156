package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpServer;
import dev.hato.auth.token.TestTokens;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Single sign-on with keys from the issuer's JWKS URL, end to end: a real Hato, a key server on loopback that
 * rotates its keys, and Angus Mail logging in over IMAPS and SMTPS with XOAUTH2.
 */
class JwksLoginTest {

    @Test
    void tokensSignedWithRotatedKeysShouldLogInOverImapAndSmtp() throws Exception {
        KeyPair first = rsa();
        KeyPair second = rsa();
        AtomicReference<String> published = new AtomicReference<>(jwks(first, "2026-a"));
        HttpServer keyServer = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        keyServer.createContext("/jwks.json", exchange -> {
            byte[] body = published.get().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        keyServer.start();
        Path dir = Files.createTempDirectory("hato-jwks-");
        try (RunningHato hato = RunningHato.start(dir, "--hato.outbound.enabled=false",
                "--hato.auth.token.jwks-url=http://127.0.0.1:" + keyServer.getAddress().getPort() + "/jwks.json")) {
            hato.provisioning().addDomain(RunningHato.DOMAIN).block();
            RunningHato.User user = hato.newUser("sso");
            Session session = Session.getInstance(properties());

            try (Store store = session.getStore("imaps")) {
                store.connect("127.0.0.1", hato.port("imaps"), user.authId(), token(first, "2026-a", user));
                assertThat(store.isConnected()).isTrue();
            }
            try (var transport = session.getTransport("smtps")) {
                transport.connect("127.0.0.1", hato.port("submissions"), user.address(),
                        token(first, "2026-a", user));
                assertThat(transport.isConnected()).isTrue();
            }
            // The portal rotates to a new key; a token naming it is accepted once Hato has looked again (it waits
            // at least 10 s between fetches, and looked at start).
            published.set(jwks(second, "2026-b"));
            Thread.sleep(11_000);
            try (Store store = session.getStore("imaps")) {
                store.connect("127.0.0.1", hato.port("imaps"), user.authId(), token(second, "2026-b", user));
                assertThat(store.isConnected()).isTrue();
            }
            try (Store store = session.getStore("imaps")) {
                assertThrows(AuthenticationFailedException.class, () -> store.connect("127.0.0.1",
                        hato.port("imaps"), user.authId(), token(first, "2026-a", user)),
                        "the retired key no longer signs");
            }
        } finally {
            keyServer.stop(0);
        }
    }

    private static String token(KeyPair pair, String keyId, RunningHato.User user) throws Exception {
        return TestTokens.rs256(pair.getPrivate(), keyId, "at+jwt", TestTokens.claims(RunningHato.TOKEN_ISSUER,
                user.authId(), Instant.now().getEpochSecond() + 600));
    }

    private static String jwks(KeyPair pair, String keyId) {
        return new JWKSet(new RSAKey.Builder((RSAPublicKey) pair.getPublic()).keyID(keyId).build()).toString(true);
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static Properties properties() {
        Properties properties = MailFlowTest.clientProperties();
        for (String protocol : new String[] {"imaps", "smtps"}) {
            properties.put("mail." + protocol + ".auth.mechanisms", "XOAUTH2");
        }
        properties.put("mail.imaps.ssl.trust", "*");
        properties.put("mail.imaps.ssl.checkserveridentity", "false");
        return properties;
    }
}
