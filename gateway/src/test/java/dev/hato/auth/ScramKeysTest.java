package dev.hato.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ScramKeysTest {

    /** RFC 7677 §3: user "user", password "pencil", salt and nonces as in the example exchange. */
    @Test
    void keysShouldReproduceTheRfc7677ExampleExchange() throws Exception {
        byte[] salt = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
        ScramKeys.Keys keys = ScramKeys.derive("pencil", salt, 4096);
        String authMessage = "n=user,r=rOprNGfwEbeRWgbNEkqO,"
                + "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"
                + "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        byte[] serverSignature = ScramKeys.hmac(keys.serverKey(), authMessage);
        assertThat(Base64.getEncoder().encodeToString(serverSignature))
                .isEqualTo("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
        // The server checks a proof as H(ClientProof XOR ClientSignature) == StoredKey.
        byte[] proof = Base64.getDecoder().decode("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        byte[] clientSignature = ScramKeys.hmac(keys.storedKey(), authMessage);
        byte[] clientKey = new byte[proof.length];
        for (int i = 0; i < proof.length; i++) {
            clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
        }
        assertThat(MessageDigest.getInstance("SHA-256").digest(clientKey)).isEqualTo(keys.storedKey());
    }

    @Test
    void aNewPasswordShouldStoreArgon2idAndScramKeysThatBothVerify() {
        PasswordHasher hasher = new PasswordHasher(64, 1, 1);
        String credential = hasher.hash("correct horse");
        assertThat(credential).startsWith("$argon2id$").contains(" SCRAM-SHA-256$4096:");
        assertThat(hasher.verify("correct horse", credential)).isTrue();
        assertThat(hasher.verify("wrong horse", credential)).isFalse();
        ScramKeys.Keys keys = ScramKeys.find(credential).orElseThrow();
        assertThat(ScramKeys.derive("correct horse", keys.salt(), keys.iterations()).storedKey())
                .isEqualTo(keys.storedKey());
        String argonOnly = credential.substring(0, credential.indexOf(' '));
        assertThat(hasher.verify("correct horse", argonOnly)).as("credentials from before SCRAM keys").isTrue();
        assertThat(ScramKeys.find(argonOnly)).isEmpty();
        assertThat(ScramKeys.encode(keys)).isEqualTo(credential.substring(credential.indexOf(' ') + 1));
        assertThat(new String(keys.salt(), StandardCharsets.ISO_8859_1)).hasSize(16);
    }

    /** RFC 4013 §3's examples, and the ideographic space a Japanese keyboard types. */
    @Test
    void passwordsShouldBePreparedWithSaslPrep() {
        assertThat(ScramKeys.prepare("I\u00ADX")).isEqualTo("IX");
        assertThat(ScramKeys.prepare("user")).isEqualTo("user");
        assertThat(ScramKeys.prepare("USER")).isEqualTo("USER");
        assertThat(ScramKeys.prepare("\u00AA")).isEqualTo("a");
        assertThat(ScramKeys.prepare("\u2168")).isEqualTo("IX");
        assertThat(ScramKeys.prepare("パス\u3000ワード")).isEqualTo("パス ワード");
        assertThat(ScramKeys.prepare("ﾊﾟｽﾜｰﾄﾞ")).as("half-width katakana, NFKC").isEqualTo("パスワード");
        // Prohibited (a control character) or bidi-invalid: no client can prepare it, so it is kept as typed.
        assertThat(ScramKeys.prepare("\u0007")).isEqualTo("\u0007");
        assertThat(ScramKeys.prepare("\u0627\u0031")).isEqualTo("\u0627\u0031");
        // Nothing left once mapped (found by SaslFuzzTest#sasl: the SASLprep library threw
        // ArrayIndexOutOfBoundsException, so setting such a password failed): kept as typed.
        assertThat(ScramKeys.prepare("\u00AD")).isEqualTo("\u00AD");
        assertThat(ScramKeys.prepare("\u200B\u00AD")).isEqualTo("\u200B\u00AD");
        assertThat(new PasswordHasher(64, 1, 1).hash("\u00AD")).contains("SCRAM-SHA-256$");
        byte[] salt = new byte[16];
        assertThat(ScramKeys.derive("I\u00ADX", salt, 4096).storedKey())
                .isEqualTo(ScramKeys.derive("IX", salt, 4096).storedKey());
    }
}
