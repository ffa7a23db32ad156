package dev.hato.outbound.client;

import dev.hato.store.queue.Envelope;
import dev.hato.store.queue.OutboundRecipient;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.stream.Collectors;

/** Formats the client's commands, with their parameters as far as the server announced the extensions. */
final class Commands {

    private Commands() {
    }

    /**
     * MAIL FROM with SIZE (RFC 1870), BODY (RFC 6152, RFC 3030), SMTPUTF8 (RFC 6531), and RET/ENVID when the
     * server offers DSN (RFC 3461 §4.3, §4.4).
     */
    static String mailFrom(Envelope envelope, long size, Extensions extensions) {
        StringBuilder command = new StringBuilder("MAIL FROM:<").append(envelope.sender()).append('>');
        if (extensions.has("SIZE")) {
            command.append(" SIZE=").append(size);
        }
        if (envelope.body() != Envelope.Body.SEVEN_BIT && (extensions.has("8BITMIME")
                || envelope.body() == Envelope.Body.BINARY_MIME)) {
            command.append(" BODY=").append(envelope.body().keyword());
        }
        if (envelope.utf8() && extensions.has("SMTPUTF8")) {
            command.append(" SMTPUTF8");
        }
        if (extensions.has("DSN")) {
            if (envelope.ret() != null) {
                command.append(" RET=").append(envelope.ret().name());
            }
            if (envelope.envId() != null) {
                // Kept as the client wrote it, already xtext (RFC 3461 §4.4): passed on unchanged.
                command.append(" ENVID=").append(envelope.envId());
            }
        }
        return command.append("\r\n").toString();
    }

    /** RCPT TO with NOTIFY and ORCPT when the server offers DSN (RFC 3461 §4.1, §4.2). */
    static String rcptTo(OutboundRecipient recipient, Extensions extensions) {
        StringBuilder command = new StringBuilder("RCPT TO:<").append(recipient.address()).append('>');
        if (extensions.has("DSN")) {
            if (!recipient.notifyOn().isEmpty()) {
                command.append(" NOTIFY=").append(recipient.notifyOn().stream().map(Enum::name).sorted()
                        .collect(Collectors.joining(",")));
            }
            if (recipient.orcpt() != null) {
                int semicolon = recipient.orcpt().indexOf(';');
                if (semicolon > 0) {
                    command.append(" ORCPT=").append(recipient.orcpt(), 0, semicolon).append(';')
                            .append(xtext(recipient.orcpt().substring(semicolon + 1)));
                }
            }
        }
        return command.append("\r\n").toString();
    }

    /** RFC 3461 §4: xtext, every byte outside "!" to "~", and "+" and "=", as {@code +XX}. */
    static String xtext(String value) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c < 33 || c > 126 || c == '+' || c == '=') {
                encoded.append('+').append(String.format(Locale.ROOT, "%02X", c));
            } else {
                encoded.append((char) c);
            }
        }
        return encoded.toString();
    }
}
