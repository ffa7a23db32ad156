package dev.hato.web.setup;

import org.jspecify.annotations.Nullable;

/**
 * What mail software needs, from the running configuration: the host name clients connect to (the one on the
 * certificate) and the implicit-TLS ports of IMAP, POP3 and SMTP submission, and the webmail's HTTPS port; and what
 * other mail servers are told, the MTA-STS policy, when one is published.
 */
public record ClientSettings(String hostName, int imaps, int pop3s, int submissions, int https,
                             @Nullable MtaStsPolicy mtaSts) {

    /** Without an MTA-STS policy. */
    public ClientSettings(String hostName, int imaps, int pop3s, int submissions, int https) {
        this(hostName, imaps, pop3s, submissions, https, null);
    }

    public ClientSettings {
        if (hostName.isBlank()) {
            throw new IllegalArgumentException("host name must not be blank");
        }
        for (int port : new int[] {imaps, pop3s, submissions, https}) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
        }
    }
}
