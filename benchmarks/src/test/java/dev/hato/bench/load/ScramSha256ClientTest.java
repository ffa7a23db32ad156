package dev.hato.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ScramSha256ClientTest {

    // RFC 7677 §3: user "user", password "pencil", and the messages of its example exchange.
    private static final String SERVER_FIRST =
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

    @Test
    void clientShouldProduceTheMessagesOfTheRfc7677Example() {
        ScramSha256Client client = new ScramSha256Client("user", "pencil", "rOprNGfwEbeRWgbNEkqO");

        assertThat(text(client.apply(new byte[0]))).isEqualTo("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        assertThat(text(client.apply(bytes(SERVER_FIRST)))).isEqualTo(
                "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                        + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        assertThat(client.apply(bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="))).isEmpty();
    }

    @Test
    void clientShouldRefuseAServerSignatureThatDoesNotVerify() {
        ScramSha256Client client = new ScramSha256Client("user", "pencil", "rOprNGfwEbeRWgbNEkqO");
        client.apply(new byte[0]);
        client.apply(bytes(SERVER_FIRST));

        assertThatThrownBy(() -> client.apply(bytes("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")))
                .hasMessageContaining("does not verify");
    }

    @Test
    void clientShouldRefuseAServerNonceThatDoesNotExtendItsOwn() {
        ScramSha256Client client = new ScramSha256Client("user", "pencil", "rOprNGfwEbeRWgbNEkqO");
        client.apply(new byte[0]);

        assertThatThrownBy(() -> client.apply(bytes("r=someoneElse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")))
                .hasMessageContaining("bad server-first-message");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
