package dev.hato.legacy;

import java.io.IOException;
import java.net.Socket;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/** TLS over a connection to an old server, its certificate checked against {@code trust} and the host's name. */
final class LegacyTls {

    private LegacyTls() { }

    static SSLSocket wrap(Socket plain, String host, int port, SSLContext trust) throws IOException {
        SSLSocket tls = (SSLSocket) trust.getSocketFactory().createSocket(plain, host, port, true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
        tls.setSSLParameters(parameters);
        tls.startHandshake();
        return tls;
    }
}
