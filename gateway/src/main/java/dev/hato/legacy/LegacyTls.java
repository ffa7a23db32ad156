package dev.hato.legacy;

import dev.hato.store.legacy.LegacyBackend;
import dev.hato.tls.TrustedCertificates;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/** TLS to an old server, its certificate checked against the system's trusted certificates and the host's name. */
public final class LegacyTls {

    private LegacyTls() { }

    /**
     * What the servers of {@code backend} are checked against: the PEM certificates it was given (with the JVM's
     * anchors), else the JVM's anchors. Reads the JVM's trust store: not on an event loop.
     */
    public static SSLContext context(LegacyBackend backend) throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, (backend.trustPem() == null ? TrustedCertificates.trustManagers(null, true)
                : TrustedCertificates.trustManagers(backend.trustPem(), "legacy system " + backend.name(), true))
                .getTrustManagers(), null);
        return context;
    }

    public static SSLSocket wrap(Socket plain, String host, int port, SSLContext trust) throws IOException {
        SSLSocket tls = (SSLSocket) trust.getSocketFactory().createSocket(plain, host, port, true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
        tls.setSSLParameters(parameters);
        tls.startHandshake();
        return tls;
    }
}
