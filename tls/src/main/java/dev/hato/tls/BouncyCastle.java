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
     * BC JSSE logs three INFO lines per connection through java.util.logging (ProvTlsServer: "accepting connection
     * from", "established connection with", "disconnected from"); in a login storm that is the whole log. JUL holds
     * loggers weakly and forgets the level of a collected logger, hence the strong reference.
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
