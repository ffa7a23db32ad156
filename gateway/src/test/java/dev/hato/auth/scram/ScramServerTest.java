package dev.hato.auth.scram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.auth.ScramKeys;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The exchange state machine alone: RFC 7677 §3 byte for byte, then each way an exchange can go wrong. */
class ScramServerTest {

    /** RFC 7677 §3: user "user", password "pencil", these nonces and this salt. */
    private static final String CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
    private static final String SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private static final ScramKeys.Keys PENCIL = ScramKeys.derive("pencil",
            Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);

    private static byte[] bytes(String message) {
        return message.getBytes(StandardCharsets.UTF_8);
    }

    private static ScramServer rfcServer() {
        return new ScramServer(() -> SERVER_NONCE);
    }

    @Test
    void theRfc7677ExampleShouldBeReproducedByteForByte() {
        ScramServer server = rfcServer();

        assertThat(server.clientFirst(bytes("n,,n=user,r=" + CLIENT_NONCE)))
                .isEqualTo(new ScramServer.Identified("user", ""));
        assertThat(server.serverFirst(PENCIL)).isEqualTo(
                "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
        assertThat(server.clientFinal(bytes("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")))
                .isEqualTo(new ScramServer.Verified("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="));
    }

    @Test
    void theIndependentClientShouldProduceTheRfcProofAndAcceptTheRfcServerSignature() throws Exception {
        RfcScramClient client = new RfcScramClient("n,,", "user", "pencil", CLIENT_NONCE);
        String serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

        assertThat(new String(client.finalMessage(serverFirst), StandardCharsets.UTF_8)).isEqualTo(
                "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                        + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        assertThat(client.acceptsServerFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")).isTrue();
    }

    @Test
    void theIndependentClientShouldLogInWithRandomNoncesAndCheckTheServer() throws Exception {
        ScramKeys.Keys keys = ScramKeys.find(ScramKeys.derive("correct horse")).orElseThrow();
        ScramServer server = new ScramServer();
        RfcScramClient client = new RfcScramClient("n,,", "ann.k-x7q2", "correct horse", "fyko+d2lbbFgONRv9qkxdawL");

        server.clientFirst(client.first());
        String serverFirst = server.serverFirst(keys);
        ScramServer.Final answer = server.clientFinal(client.finalMessage(serverFirst));

        assertThat(answer).isInstanceOf(ScramServer.Verified.class);
        assertThat(client.acceptsServerFinal(((ScramServer.Verified) answer).serverFinal())).isTrue();
        String serverNonce = serverFirst.substring(2, serverFirst.indexOf(',')).substring(24);
        assertThat(Base64.getDecoder().decode(serverNonce)).hasSizeGreaterThanOrEqualTo(18);
        ScramServer another = new ScramServer();
        another.clientFirst(client.first());
        assertThat(another.serverFirst(keys)).isNotEqualTo(serverFirst);
    }

    @Test
    void aWrongPasswordShouldFailWithInvalidProof() throws Exception {
        ScramServer server = rfcServer();
        RfcScramClient client = new RfcScramClient("n,,", "user", "pencils", CLIENT_NONCE);
        server.clientFirst(client.first());

        assertThat(server.clientFinal(client.finalMessage(server.serverFirst(PENCIL))))
                .isEqualTo(new ScramServer.Refused(ScramError.INVALID_PROOF));
        assertThat(ScramError.INVALID_PROOF.message()).isEqualTo("e=invalid-proof");
    }

    @Test
    void aTamperedNonceShouldFailEvenWithTheRightPassword() throws Exception {
        ScramServer server = rfcServer();
        RfcScramClient client = new RfcScramClient("n,,", "user", "pencil", CLIENT_NONCE);
        server.clientFirst(client.first());

        assertThat(server.clientFinal(client.finalMessage(server.serverFirst(PENCIL), false)))
                .isEqualTo(new ScramServer.Refused(ScramError.OTHER_ERROR));
    }

    @Test
    void aClientThatSupportsChannelBindingButSawNoPlusShouldLogInWithEsws() throws Exception {
        ScramServer server = rfcServer();
        RfcScramClient client = new RfcScramClient("y,,", "user", "pencil", CLIENT_NONCE);
        server.clientFirst(client.first());

        byte[] last = client.finalMessage(server.serverFirst(PENCIL));

        assertThat(new String(last, StandardCharsets.UTF_8)).startsWith("c=eSws,");
        assertThat(server.clientFinal(last)).isInstanceOf(ScramServer.Verified.class);
    }

    @Test
    void aChannelBindingThatDoesNotMatchTheGs2HeaderShouldFail() throws Exception {
        ScramServer server = rfcServer();
        server.clientFirst(bytes("y,,n=user,r=" + CLIENT_NONCE));
        RfcScramClient client = new RfcScramClient("n,,", "user", "pencil", CLIENT_NONCE);

        assertThat(server.clientFinal(client.finalMessage(server.serverFirst(PENCIL))))
                .isEqualTo(new ScramServer.Refused(ScramError.CHANNEL_BINDINGS_DONT_MATCH));
    }

    @Test
    void anAuthzidThatIsTheUserShouldBeAcceptedAndBoundIntoTheChannelBinding() throws Exception {
        ScramServer server = rfcServer();
        RfcScramClient client = new RfcScramClient("n,a=User,", "user", "pencil", CLIENT_NONCE);

        assertThat(server.clientFirst(client.first())).isEqualTo(new ScramServer.Identified("user", "User"));
        assertThat(server.clientFinal(client.finalMessage(server.serverFirst(PENCIL))))
                .isInstanceOf(ScramServer.Verified.class);
        assertThat(rfcServer().clientFirst(bytes("n,a=admin,n=user,r=" + CLIENT_NONCE)))
                .isEqualTo(new ScramServer.Refused(ScramError.OTHER_ERROR));
    }

    @Test
    void requestsThisServerCannotHonourShouldBeRefusedAtTheFirstMessage() {
        assertThat(rfcServer().clientFirst(bytes("p=tls-unique,,n=user,r=" + CLIENT_NONCE)))
                .isEqualTo(new ScramServer.Refused(ScramError.CHANNEL_BINDING_NOT_SUPPORTED));
        assertThat(rfcServer().clientFirst(bytes("n,,m=ext,n=user,r=" + CLIENT_NONCE)))
                .isEqualTo(new ScramServer.Refused(ScramError.EXTENSIONS_NOT_SUPPORTED));
    }

    @Test
    void saslnameEscapesShouldBeDecodedAndAnyOtherEqualsSignRefused() {
        assertThat(rfcServer().clientFirst(bytes("n,,n=a=2Cb=3Dc,r=" + CLIENT_NONCE)))
                .isEqualTo(new ScramServer.Identified("a,b=c", ""));
        assertThat(rfcServer().clientFirst(bytes("n,,n=a=2Xb,r=" + CLIENT_NONCE)))
                .isEqualTo(new ScramServer.Refused(ScramError.INVALID_USERNAME_ENCODING));
        assertThat(rfcServer().clientFirst(bytes("n,,n=ab=,r=" + CLIENT_NONCE)))
                .isEqualTo(new ScramServer.Refused(ScramError.INVALID_USERNAME_ENCODING));
        assertThat(rfcServer().clientFirst(bytes("n,,n=,r=" + CLIENT_NONCE)))
                .isEqualTo(new ScramServer.Refused(ScramError.INVALID_USERNAME_ENCODING));
    }

    @Test
    void malformedMessagesShouldBeRefusedAsInvalidEncoding() {
        ScramServer.Refused invalid = new ScramServer.Refused(ScramError.INVALID_ENCODING);
        assertThat(rfcServer().clientFirst(bytes("n,,n=user,r=abc def"))).isEqualTo(invalid);
        assertThat(rfcServer().clientFirst(bytes("n,,n=user,r="))).isEqualTo(invalid);
        assertThat(rfcServer().clientFirst(bytes("n,,n=user"))).isEqualTo(invalid);
        assertThat(rfcServer().clientFirst(bytes("x,,n=user,r=abc"))).isEqualTo(invalid);
        assertThat(rfcServer().clientFirst(bytes("n,,r=abc,n=user"))).isEqualTo(invalid);
        assertThat(rfcServer().clientFirst(bytes("n,,n=user,r=abc,1=x"))).isEqualTo(invalid);
        assertThat(rfcServer().clientFirst(new byte[] {'n', ',', ',', 'n', '=', (byte) 0xC3, ',', 'r', '=', 'a'}))
                .isEqualTo(invalid);
        assertThat(rfcServer().clientFirst(bytes("n,,n=user,r=" + "a".repeat(5000)))).isEqualTo(invalid);
        assertThat(rfcServer().clientFirst(new byte[0])).isEqualTo(invalid);

        ScramServer server = rfcServer();
        server.clientFirst(bytes("n,,n=user,r=" + CLIENT_NONCE));
        server.serverFirst(PENCIL);
        assertThat(server.clientFinal(bytes("c=biws,r=" + CLIENT_NONCE + SERVER_NONCE + ",p=not base64!")))
                .isEqualTo(invalid);
    }

    @Test
    void stepsOutOfOrderShouldBeAProgrammingError() {
        ScramServer server = rfcServer();
        assertThatThrownBy(() -> server.clientFinal(bytes("c=biws"))).isInstanceOf(IllegalStateException.class);
        server.clientFirst(bytes("n,,n=user,r=" + CLIENT_NONCE));
        assertThatThrownBy(() -> server.clientFirst(bytes("n,,n=user,r=x"))).isInstanceOf(IllegalStateException.class);
        ScramServer refused = rfcServer();
        refused.clientFirst(bytes("p=tls-unique,,n=user,r=x"));
        assertThatThrownBy(() -> refused.serverFirst(PENCIL)).isInstanceOf(IllegalStateException.class);
    }
}
