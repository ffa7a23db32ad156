package dev.hato.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hato.auth.SaslPlain;
import dev.hato.auth.ScramKeys;
import dev.hato.auth.scram.ScramServer;
import dev.hato.auth.token.BearerSasl;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SASL messages a client sends before it is authenticated meet a coverage-guided fuzzer (Jazzer; issue 20 item 7):
 * SCRAM-SHA-256's client-first and client-final messages, PLAIN, OAUTHBEARER and XOAUTH2 responses and the SASLprep
 * of a password. Each must turn any octets into an answer (a refusal for garbage) without throwing. The SCRAM target
 * also plays an honest client half of the time, which computes the right proof for whatever client-first message the
 * server accepted: that one must verify, and nothing the fuzzer makes up without the password may. Seeds and findings
 * are replayed in every build from {@code src/test/resources/dev/hato/fuzz/SaslFuzzTestInputs/<target>/};
 * docs/security.md, "Fuzzing", has the runs.
 */
class SaslFuzzTest {

    private static final String PASSWORD = "pencil";
    private static final byte[] SALT = "fuzzing salt 16o".getBytes(StandardCharsets.US_ASCII);
    private static final int ITERATIONS = 4096;
    private static final ScramKeys.Keys KEYS = ScramKeys.derive(PASSWORD, SALT, ITERATIONS);
    private static final byte[] CLIENT_KEY = clientKey();
    private static final String SERVER_NONCE = "3rfcNHYJY1ZVvWVs7j";

    @FuzzTest(maxDuration = "5m", maxExecutions = 10_000_000)
    void scram(FuzzedDataProvider data) {
        boolean honest = data.consumeBoolean();
        byte[] first = data.consumeBytes(data.consumeInt(0, 300));
        ScramServer server = new ScramServer(() -> SERVER_NONCE);
        ScramServer.First identified = server.clientFirst(first);
        if (!(identified instanceof ScramServer.Identified)) {
            assertThat(identified).isInstanceOf(ScramServer.Refused.class);
            return;
        }
        String serverFirst = server.serverFirst(KEYS);
        String text = new String(first, StandardCharsets.UTF_8);
        int secondComma = text.indexOf(',', text.indexOf(',') + 1);
        String gs2Header = text.substring(0, secondComma + 1);
        String clientFirstBare = text.substring(secondComma + 1);
        String nonce = serverFirst.substring(2, serverFirst.indexOf(','));
        assertThat(nonce).endsWith(SERVER_NONCE);
        assertThat(clientFirstBare).contains(",r=" + nonce.substring(0, nonce.length() - SERVER_NONCE.length()));
        if (honest) {
            String withoutProof = "c=" + Base64.getEncoder().encodeToString(gs2Header.getBytes(StandardCharsets.UTF_8))
                    + ",r=" + nonce + data.consumeRemainingAsString().replaceAll("[^a-zA-Z0-9=]", "").replaceAll(
                            "^(.+)$", ",x=$1");
            byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof)
                    .getBytes(StandardCharsets.UTF_8);
            byte[] proof = hmac(KEYS.storedKey(), authMessage);
            for (int i = 0; i < proof.length; i++) {
                proof[i] ^= CLIENT_KEY[i];
            }
            String clientFinal = withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof);
            ScramServer.Final verified = server.clientFinal(clientFinal.getBytes(StandardCharsets.UTF_8));
            assertThat(verified).isEqualTo(new ScramServer.Verified("v=" + Base64.getEncoder().encodeToString(
                    hmac(KEYS.serverKey(), authMessage))));
        } else {
            ScramServer.Final answer = server.clientFinal(data.consumeRemainingAsBytes());
            assertThat(answer).as("a proof made up without the password").isInstanceOf(ScramServer.Refused.class);
        }
    }

    @FuzzTest(maxDuration = "4m", maxExecutions = 10_000_000)
    void sasl(FuzzedDataProvider data) {
        int mechanism = data.consumeInt(0, 4);
        String response = data.consumeRemainingAsString();
        switch (mechanism) {
            case 0 -> plain(SaslPlain.decode(response));
            case 1 -> plain(SaslPlain.parse(response.getBytes(StandardCharsets.UTF_8)));
            case 2 -> bearer(BearerSasl.oauthBearer(response), BearerSasl.oauthBearerMessage(response));
            case 3 -> bearer(BearerSasl.xoauth2(response), BearerSasl.xoauth2Message(response));
            default -> {
                // SASLprep of a password (RFC 4013), as every SCRAM key is derived; one iteration keeps it fast.
                ScramKeys.Keys keys = ScramKeys.derive(response, SALT, 1);
                assertThat(keys.storedKey()).hasSize(32);
            }
        }
    }

    /** A PLAIN message that was accepted is exactly its three parts with NULs between them. */
    private static void plain(Optional<SaslPlain.Message> message) {
        message.ifPresent(m -> {
            assertThat(m.authcid()).isNotEmpty();
            assertThat(m.authzid() + m.authcid() + m.password()).doesNotContain("\0");
        });
    }

    private static void bearer(Optional<BearerSasl.Response> encoded, Optional<BearerSasl.Response> decoded) {
        encoded.ifPresent(r -> assertThat(r.token()).isNotNull());
        decoded.ifPresent(r -> assertThat(r.token()).isNotNull());
    }

    private static byte[] clientKey() {
        try {
            byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(PASSWORD.toCharArray(), SALT, ITERATIONS, 256)).getEncoded();
            byte[] clientKey = hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
            assertThat(MessageDigest.getInstance("SHA-256").digest(clientKey)).isEqualTo(KEYS.storedKey());
            return clientKey;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
