package dev.hato.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The JDK's TLS client (SunJSSE) asking for a server name (SNI, RFC 6066 §3) and checking the certificate names it
 * (RFC 6125); the connection stays open, so a test can use it again after the server's certificate changed.
 */
final class SniClient implements AutoCloseable {

    private final SSLSocket socket;

    private SniClient(SSLSocket socket) {
        this.socket = socket;
    }

    /**
     * Connects to 127.0.0.1:{@code port} asking for {@code serverName}, trusting only {@code anchor} and checking
     * that the certificate names {@code serverName}, and completes the handshake.
     */
    static SniClient connect(int port, String serverName, X509Certificate anchor, String... protocols)
            throws Exception {
        return connect(port, serverName, true, anchor, null, protocols);
    }

    /**
     * As {@link #connect}, but without checking the name in the certificate (the issuer is still checked), and
     * with {@code serverName} {@code null}: sending no server name at all.
     */
    static SniClient connectUnverified(int port, String serverName, X509Certificate anchor) throws Exception {
        return connect(port, serverName, false, anchor, null);
    }

    /** As {@link #connectUnverified}, over TLS 1.2 with only the given cipher suites (an older client). */
    static SniClient connectTls12(int port, String serverName, X509Certificate anchor, String... suites)
            throws Exception {
        return connect(port, serverName, false, anchor, suites, "TLSv1.2");
    }

    private static SniClient connect(int port, String serverName, boolean verifyName, X509Certificate anchor,
                                     String[] suites, String... protocols) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("anchor", anchor);
        TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        plain.setSoTimeout(10_000);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain,
                serverName == null ? "127.0.0.1" : serverName, port, true);
        SSLParameters parameters = socket.getSSLParameters();
        if (serverName != null) {
            parameters.setServerNames(List.of(new SNIHostName(serverName)));
            parameters.setEndpointIdentificationAlgorithm(verifyName ? "HTTPS" : null);
        } else {
            parameters.setServerNames(List.of());
        }
        if (protocols.length > 0) {
            parameters.setProtocols(protocols);
        }
        if (suites != null) {
            parameters.setCipherSuites(suites);
        }
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return new SniClient(socket);
    }

    /** The certificate the server presented. */
    X509Certificate serverCertificate() throws IOException {
        return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }

    /** Sends {@code line} and reads back as many bytes (the echo server). */
    String exchange(String line) throws IOException {
        byte[] bytes = line.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        byte[] echoed = new byte[bytes.length];
        int read = 0;
        while (read < echoed.length) {
            int n = in.read(echoed, read, echoed.length - read);
            if (n < 0) {
                throw new IOException("connection closed after " + read + " echoed bytes");
            }
            read += n;
        }
        return new String(echoed, java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
