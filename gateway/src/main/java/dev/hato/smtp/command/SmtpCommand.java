package dev.hato.smtp.command;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** One SMTP command line, parsed (RFC 5321 §4.1, RFC 3207, RFC 4954, RFC 3030). */
public sealed interface SmtpCommand {

    /** {@code HELO domain}; the argument as sent. */
    record Helo(String domain) implements SmtpCommand {
    }

    /** {@code EHLO domain}; the argument as sent. */
    record Ehlo(String domain) implements SmtpCommand {
    }

    /**
     * {@code MAIL FROM:<reverse-path> [parameters]}.
     *
     * @param reversePath the mailbox as written, source route dropped; {@code ""} for the null sender {@code <>}
     * @param parameters  ESMTP parameters in the order sent, keys upper-case, value {@code null} for a bare keyword
     */
    record Mail(String reversePath, Map<String, @Nullable String> parameters) implements SmtpCommand {
        public Mail {
            parameters = copy(parameters);
        }
    }

    /**
     * {@code RCPT TO:<forward-path> [parameters]}.
     *
     * @param forwardPath the mailbox as written, source route dropped, or {@code postmaster} as written
     * @param parameters  ESMTP parameters in the order sent, keys upper-case, value {@code null} for a bare keyword
     */
    record Rcpt(String forwardPath, Map<String, @Nullable String> parameters) implements SmtpCommand {
        public Rcpt {
            parameters = copy(parameters);
        }
    }

    record Data() implements SmtpCommand {
    }

    record Rset() implements SmtpCommand {
    }

    /** {@code NOOP [string]}; the argument has no meaning (RFC 5321 §4.1.1.9). */
    record Noop() implements SmtpCommand {
    }

    record Quit() implements SmtpCommand {
    }

    record Vrfy(String argument) implements SmtpCommand {
    }

    record Expn(String argument) implements SmtpCommand {
    }

    /** {@code HELP [string]}; {@code ""} without an argument. */
    record Help(String argument) implements SmtpCommand {
    }

    record StartTls() implements SmtpCommand {
    }

    /**
     * {@code AUTH mechanism [initial-response]} (RFC 4954 §4).
     *
     * @param mechanism       upper-case SASL mechanism name
     * @param initialResponse the base64 initial response as sent ({@code "="} for an empty one), or {@code null}
     */
    record Auth(String mechanism, @Nullable String initialResponse) implements SmtpCommand {
    }

    /** {@code BDAT size [LAST]} (RFC 3030 §3). */
    record Bdat(long size, boolean last) implements SmtpCommand {
    }

    /** A verb this parser does not know, upper-case ({@code ""} for an empty line). */
    record Unknown(String verb) implements SmtpCommand {
    }

    /**
     * A syntax error, ready to send as the reply: {@code code enhancedCode text}, e.g.
     * {@code 501 5.5.4 Syntax: MAIL FROM:<address>}.
     */
    record Invalid(int code, String enhancedCode, String text) implements SmtpCommand {
    }

    private static Map<String, @Nullable String> copy(Map<String, @Nullable String> parameters) {
        // Map.copyOf rejects the null values of bare keywords.
        Map<String, @Nullable String> copy = new LinkedHashMap<>(Objects.requireNonNull(parameters));
        return Collections.unmodifiableMap(copy);
    }
}
