package dev.hato.tls;

import java.security.Provider;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * The two BouncyCastle providers every Hato TLS object uses, created once and never registered with
 * {@link java.security.Security}, so the rest of the JVM keeps its default providers.
 */
final class BouncyCastle {

    /*
     * BC JSSE reports every handshake at INFO through java.util.logging (ProvTlsServer: "Server selected protocol
     * version", "Server notified of ...", "Server raised/received alert"). In a login storm that is several lines per
     * connection. JUL holds loggers weakly and forgets a level set on a collected logger, hence the strong reference.
     */
    private static final Logger JSSE_LOGGER = Logger.getLogger("org.bouncycastle.jsse");

    /** BC's JCA provider: key generation, signatures, certificate parsing and the in-memory key store. */
    static final Provider JCA;

    /**
     * BC JSSE doing its cryptography through {@link #JCA} rather than through the JDK's providers: measured about
     * three times as many full handshakes per second (ARCHITECTURE.md, "TLS with BouncyCastle").
     */
    static final Provider JSSE;

    static {
        JSSE_LOGGER.setLevel(Level.WARNING);
        JCA = new BouncyCastleProvider();
        JSSE = new BouncyCastleJsseProvider(JCA);
    }

    private BouncyCastle() {
    }
}
