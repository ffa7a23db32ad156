package dev.hato.pop3.command;

import org.jspecify.annotations.Nullable;

/** One POP3 command line, parsed (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 AUTH, RFC 6856 UTF8). */
public sealed interface Pop3Command {

    record User(String name) implements Pop3Command {
    }

    /** @param password the rest of the line after {@code "PASS "}, spaces included (RFC 1939 §7) */
    record Pass(String password) implements Pop3Command {
        @Override
        public String toString() {
            return "Pass[password=<redacted>]";
        }
    }

    record Stat() implements Pop3Command {
    }

    /** @param message the message number, or {@code null} for a listing of all messages */
    record List(@Nullable Integer message) implements Pop3Command {
    }

    /** @param message the message number, or {@code null} for a listing of all messages */
    record Uidl(@Nullable Integer message) implements Pop3Command {
    }

    record Retr(int message) implements Pop3Command {
    }

    record Dele(int message) implements Pop3Command {
    }

    record Rset() implements Pop3Command {
    }

    record Noop() implements Pop3Command {
    }

    record Quit() implements Pop3Command {
    }

    /** @param lines the number of body lines to send, zero or more */
    record Top(int message, int lines) implements Pop3Command {
    }

    record Capa() implements Pop3Command {
    }

    record Stls() implements Pop3Command {
    }

    /** RFC 6856 §2: switch the session to UTF-8 mode; no arguments, AUTHORIZATION state only. */
    record Utf8() implements Pop3Command {
    }

    /**
     * {@code AUTH [mechanism [initial-response]]} (RFC 5034 §4). Without a mechanism, clients ask for the list of
     * mechanisms (the older RFC 1734 usage still sent by some clients).
     *
     * @param mechanism       upper-case SASL mechanism name, or {@code null}
     * @param initialResponse the base64 initial response as sent ({@code "="} for an empty one), or {@code null}
     */
    record Auth(@Nullable String mechanism, @Nullable String initialResponse) implements Pop3Command {
    }

    /** A keyword this parser does not implement (including APOP), upper-case; {@code ""} for an empty line. */
    record Unknown(String keyword) implements Pop3Command {
    }

    /** A syntax error; {@code text} is ready to follow {@code "-ERR "}. */
    record Invalid(String text) implements Pop3Command {
    }
}
