package dev.hato.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hato.tls.TlsSettings.KeyType;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Real handshakes: the Netty server built on {@link ServerTls#sslContext()} against the JDK's own client. */
class ServerTlsHandshakeTest {

    @TempDir
    Path directory;

    @Test
    void rsaCertificateShouldCompleteTls13Handshake() throws Exception {
        ServerTls tls = ServerTls.load(TlsSettings.selfSigned("mail.example", directory)
                .withSelfSignedKeyType(KeyType.RSA));
        assertThat(tls.certificate().getPublicKey().getAlgorithm()).isEqualTo("RSA");

        try (EchoServer server = EchoServer.start(tls.sslContext())) {
            JdkTlsClient.Result result = JdkTlsClient.trusting(tls.certificate()).exchange(server.port());

            assertThat(result.protocol()).isEqualTo("TLSv1.3");
            assertThat(result.echoed()).isEqualTo(JdkTlsClient.PAYLOAD);
            assertThat(result.peerChain()).containsExactly(tls.certificate());
            assertThat(server.nextOutcome().session().getProtocol()).isEqualTo("TLSv1.3");
        }
    }

    @Test
    void defaultCertificateShouldBeEcdsaAndCompleteTls13Handshake() throws Exception {
        ServerTls tls = ServerTls.load(TlsSettings.selfSigned("mail.example", directory));

        try (EchoServer server = EchoServer.start(tls.sslContext())) {
            JdkTlsClient.Result result = JdkTlsClient.trusting(tls.certificate()).exchange(server.port());

            assertThat(tls.certificate().getPublicKey().getAlgorithm()).isIn("EC", "ECDSA");
            assertThat(result.protocol()).isEqualTo("TLSv1.3");
            assertThat(result.echoed()).isEqualTo(JdkTlsClient.PAYLOAD);
            assertThat(result.peerChain()).containsExactly(tls.certificate());
        }
    }

    @Test
    void ecCertificateShouldCompleteTls13Handshake() throws Exception {
        ServerTls tls = ServerTls.load(TlsSettings.selfSigned("mail.example", directory)
                .withSelfSignedKeyType(KeyType.EC));

        try (EchoServer server = EchoServer.start(tls.sslContext())) {
            JdkTlsClient.Result result = JdkTlsClient.trusting(tls.certificate()).exchange(server.port());

            assertThat(tls.certificate().getPublicKey().getAlgorithm()).isIn("EC", "ECDSA");
            assertThat(result.protocol()).isEqualTo("TLSv1.3");
            assertThat(result.echoed()).isEqualTo(JdkTlsClient.PAYLOAD);
            assertThat(result.peerChain()).containsExactly(tls.certificate());
        }
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void clientLimitedToTls12ShouldNegotiateTls12WithForwardSecrecy(KeyType keyType) throws Exception {
        ServerTls tls = ServerTls.load(TlsSettings.selfSigned("mail.example", directory)
                .withSelfSignedKeyType(keyType));

        try (EchoServer server = EchoServer.start(tls.sslContext())) {
            JdkTlsClient.Result result = JdkTlsClient.trusting(tls.certificate()).exchange(server.port(), "TLSv1.2");

            assertThat(result.protocol()).isEqualTo("TLSv1.2");
            assertThat(result.cipherSuite()).startsWith(keyType == KeyType.EC ? "TLS_ECDHE_ECDSA_" : "TLS_ECDHE_RSA_")
                    .matches(".*(_GCM_|_CHACHA20_POLY1305_).*");
            assertThat(result.echoed()).isEqualTo(JdkTlsClient.PAYLOAD);
        }
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void tls11ClientHelloShouldBeRefusedWithProtocolVersionAlert(KeyType keyType) throws Exception {
        ServerTls tls = ServerTls.load(TlsSettings.selfSigned("mail.example", directory)
                .withSelfSignedKeyType(keyType));

        // The JDK client refuses to even offer TLS 1.1 (jdk.tls.disabledAlgorithms), which would prove nothing about
        // the server: send a TLS 1.1 ClientHello by hand instead.
        try (EchoServer server = EchoServer.start(tls.sslContext()); Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(tls11ClientHello());
            out.flush();
            byte[] reply = socket.getInputStream().readNBytes(7);

            // RFC 5246 §6.2.1 record header, then RFC 5246 §7.2 alert: fatal(2), protocol_version(70).
            assertThat(reply).hasSize(7);
            assertThat(reply[0]).as("content type alert, not a ServerHello").isEqualTo((byte) 21);
            assertThat(reply[5]).as("alert level fatal").isEqualTo((byte) 2);
            assertThat(reply[6]).as("alert protocol_version").isEqualTo((byte) 70);
            assertThat(server.nextOutcome().failure()).isNotNull();
        }
    }

    @Test
    void untrustedCertificateShouldFailTheClientsHandshake() throws Exception {
        ServerTls tls = ServerTls.load(TlsSettings.selfSigned("mail.example", directory));
        ServerTls other = ServerTls.load(TlsSettings.selfSigned("mail.example", directory.resolve("other")));

        try (EchoServer server = EchoServer.start(tls.sslContext())) {
            JdkTlsClient client = JdkTlsClient.trusting(other.certificate());

            assertThatThrownBy(() -> client.exchange(server.port())).isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void tls12SessionShouldBeResumedOnReconnect() throws Exception {
        ServerTls tls = ServerTls.load(TlsSettings.selfSigned("mail.example", directory)
                .withSelfSignedKeyType(KeyType.EC));

        try (EchoServer server = EchoServer.start(tls.sslContext())) {
            JdkTlsClient client = JdkTlsClient.trusting(tls.certificate());
            JdkTlsClient.Result first = client.exchange(server.port(), "TLSv1.2");
            JdkTlsClient.Result second = client.exchange(server.port(), "TLSv1.2");

            assertThat(second.sessionId()).isNotEmpty().isEqualTo(first.sessionId());
            assertThat(server.nextOutcome().session().getId()).isEqualTo(server.nextOutcome().session().getId());
        }
    }

    @Test
    void handshakesShouldNotLogBelowWarningThroughJavaUtilLogging() throws Exception {
        ServerTls tls = ServerTls.load(TlsSettings.selfSigned("mail.example", directory));
        List<LogRecord> records = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() < Level.WARNING.intValue()) {
                    records.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(Level.ALL);
        Logger bc = Logger.getLogger("org.bouncycastle");
        bc.addHandler(capture);
        try (EchoServer server = EchoServer.start(tls.sslContext())) {
            JdkTlsClient client = JdkTlsClient.trusting(tls.certificate());
            client.exchange(server.port());
            client.exchange(server.port(), "TLSv1.2");
            server.nextOutcome();
            server.nextOutcome();
        } finally {
            bc.removeHandler(capture);
        }

        assertThat(Logger.getLogger("org.bouncycastle.jsse.provider.ProvTlsServer").isLoggable(Level.INFO)).isFalse();
        assertThat(records).extracting(LogRecord::getMessage).isEmpty();
    }

    @Test
    void ecCertificateShouldFailWithSunJsseKeyManagerAsInTheSpike() throws Exception {
        // The spike's construction: Netty builds the key manager from KeyManagerFactory.getDefaultAlgorithm()
        // (SunJSSE), which does not understand BC JSSE's key types "EC/secp256r1" and "ECDHE_ECDSA". If this ever
        // passes, BC or Netty changed; ServerTls must keep using BC JSSE's own key manager either way.
        Instant now = Instant.now();
        CertifiedKey ec = SelfSignedCertificates.generate("localhost", KeyType.EC, now.minusSeconds(60),
                now.plusSeconds(3600));
        SslContext spike = SslContextBuilder.forServer(ec.privateKey(), ec.leaf())
                .sslProvider(SslProvider.JDK).sslContextProvider(BouncyCastle.JSSE).build();

        try (EchoServer server = EchoServer.start(spike)) {
            JdkTlsClient client = JdkTlsClient.trusting(ec.leaf());

            assertThatThrownBy(() -> client.exchange(server.port())).isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("handshake_failure");
            assertThatThrownBy(() -> client.exchange(server.port(), "TLSv1.2"))
                    .isInstanceOf(SSLHandshakeException.class).hasMessageContaining("handshake_failure");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"-tls1_3", "-tls1_2"})
    void opensslClientShouldVerifyEcCertificateAndCompleteHandshake(String protocolOption) throws Exception {
        assumeTrue(opensslIsInstalled(), "openssl is not on PATH");
        ServerTls tls = ServerTls.load(TlsSettings.selfSigned("mail.example", directory)
                .withSelfSignedKeyType(KeyType.EC));

        try (EchoServer server = EchoServer.start(tls.sslContext())) {
            String output = openssl("s_client", "-connect", "127.0.0.1:" + server.port(), protocolOption,
                    "-servername", "localhost", "-verify_hostname", "localhost",
                    "-CAfile", directory.resolve(SelfSignedCertificates.CERTIFICATE_FILE).toString(),
                    "-verify_return_error", "-brief");

            assertThat(output)
                    .contains("Protocol version: " + (protocolOption.equals("-tls1_3") ? "TLSv1.3" : "TLSv1.2"))
                    .contains("Signature type: ECDSA")
                    .contains("Verification: OK");
        }
    }

    @Test
    void opensslReconnectsShouldResumeTheTls12Session() throws Exception {
        assumeTrue(opensslIsInstalled(), "openssl is not on PATH");
        ServerTls tls = ServerTls.load(TlsSettings.selfSigned("mail.example", directory)
                .withSelfSignedKeyType(KeyType.EC));

        try (EchoServer server = EchoServer.start(tls.sslContext())) {
            // -reconnect: one full handshake, then five reconnections offering the session.
            String output = openssl("s_client", "-connect", "127.0.0.1:" + server.port(), "-tls1_2", "-reconnect");

            assertThat(output).containsOnlyOnce("New, TLSv1.2").contains("Reused, TLSv1.2");
        }
    }

    /** Runs openssl with no input, so s_client says goodbye right after the handshake; fails unless it exits 0. */
    private static String openssl(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Process openssl = new ProcessBuilder(command).redirectErrorStream(true).start();
        openssl.getOutputStream().close();
        assertThat(openssl.waitFor(30, TimeUnit.SECONDS)).as("openssl finished within 30 s").isTrue();
        String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(openssl.exitValue()).as(output).isZero();
        return output;
    }

    private static boolean opensslIsInstalled() {
        try {
            Process version = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
            version.getInputStream().readAllBytes();
            return version.waitFor(10, TimeUnit.SECONDS) && version.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A TLS 1.1 ClientHello (RFC 4346 §7.4.1.2) offering only suites a TLS 1.1 client could use. */
    private static byte[] tls11ClientHello() {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        ByteBuffer body = ByteBuffer.allocate(256);
        body.put((byte) 3).put((byte) 2);                      // client_version TLS 1.1
        body.put(random);
        body.put((byte) 0);                                    // no session id
        short[] suites = {(short) 0xC009, (short) 0xC013, 0x002F, 0x0035};
        body.putShort((short) (suites.length * 2));
        for (short suite : suites) {
            body.putShort(suite);
        }
        body.put((byte) 1).put((byte) 0);                      // compression: null only
        byte[] extensions = {
                0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x17,    // supported_groups: secp256r1
                0x00, 0x0b, 0x00, 0x02, 0x01, 0x00};               // ec_point_formats: uncompressed
        body.putShort((short) extensions.length).put(extensions);
        body.flip();
        ByteBuffer record = ByteBuffer.allocate(5 + 4 + body.remaining());
        record.put((byte) 22).put((byte) 3).put((byte) 2).putShort((short) (4 + body.remaining()));
        record.put((byte) 1).put((byte) 0).putShort((short) body.remaining()); // client_hello, 24-bit length
        record.put(body);
        return record.array();
    }
}
