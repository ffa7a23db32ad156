package dev.hato.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The JDK's own TLS client (SunJSSE, default providers) as a mail client would use it: it trusts only the given
 * anchors and verifies that the certificate names "localhost" (RFC 6125 host name check).
 */
final class JdkTlsClient {

    static final byte[] PAYLOAD = "A001 NOOP\r\n".getBytes(StandardCharsets.US_ASCII);

    /** What the client saw. */
    record Result(String protocol, String cipherSuite, List<Certificate> peerChain, byte[] echoed, byte[] sessionId) {
    }

    private final SSLContext context;

    private JdkTlsClient(SSLContext context) {
        this.context = context;
    }

    static JdkTlsClient trusting(X509Certificate... anchors) throws GeneralSecurityException, IOException {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        for (int i = 0; i < anchors.length; i++) {
            trusted.setCertificateEntry("anchor-" + i, anchors[i]);
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        assert "SunJSSE".equals(context.getProvider().getName());
        context.init(null, trust.getTrustManagers(), null);
        return new JdkTlsClient(context);
    }

    /** Connects, handshakes with the given protocols (all defaults when none), sends {@link #PAYLOAD}, reads it back. */
    Result exchange(int port, String... protocols) throws IOException {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            plain.setSoTimeout(10_000);
            try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, "localhost", port,
                    true)) {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                if (protocols.length > 0) {
                    parameters.setProtocols(protocols);
                }
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                socket.getOutputStream().write(PAYLOAD);
                socket.getOutputStream().flush();
                byte[] echoed = readFully(socket.getInputStream(), PAYLOAD.length);
                return new Result(socket.getSession().getProtocol(), socket.getSession().getCipherSuite(),
                        Arrays.asList(socket.getSession().getPeerCertificates()), echoed,
                        socket.getSession().getId());
            }
        }
    }

    private static byte[] readFully(InputStream in, int length) throws IOException {
        byte[] bytes = new byte[length];
        int read = 0;
        while (read < length) {
            int n = in.read(bytes, read, length - read);
            if (n < 0) {
                throw new IOException("connection closed after " + read + " of " + length + " echoed bytes");
            }
            read += n;
        }
        return bytes;
    }
}
