package dev.hato.outbound;

import dev.hato.outbound.client.TlsPolicy;
import org.jspecify.annotations.Nullable;

/**
 * A relay that takes all outbound mail instead of the recipients' MX hosts.
 *
 * @param implicitTls TLS from the first byte (port 465, RFC 8314) instead of STARTTLS
 * @param tls         the STARTTLS policy (and, with implicit TLS, whether the certificate is verified)
 */
public record Smarthost(String host, int port, boolean implicitTls, TlsPolicy tls, @Nullable String username,
                        @Nullable String password) {
    public Smarthost {
        if (host.isBlank()) {
            throw new IllegalArgumentException("a smarthost needs a host name");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("smarthost port out of range: " + port);
        }
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException("set both smarthost username and password, or neither");
        }
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "Smarthost[" + host + ":" + port + (implicitTls ? ", implicit TLS" : ", " + tls)
                + (username == null ? "" : ", AUTH as " + username) + "]";
    }
}
