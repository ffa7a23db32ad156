package dev.hato.smtp.session;

import dev.hato.smtp.wire.SmtpDataDecoder;
import org.jspecify.annotations.Nullable;

/**
 * Where an SMTP conversation stands (RFC 5321 §4.1.4 command order). What belongs to the whole connection (TLS, the
 * logged-in user, error counters) is kept beside it, in {@link SmtpContext}.
 */
sealed interface SmtpState
        permits SmtpState.Connected, SmtpState.Greeted, SmtpState.MailGiven, SmtpState.InData, SmtpState.InBdat,
        SmtpState.Closed {

    /** Connected, or back to the start after STARTTLS: no EHLO or HELO yet. */
    Connected CONNECTED = new Connected();

    /** The conversation is over (QUIT, a limit, a timeout, the connection closed): nothing more is read. */
    Closed CLOSED = new Closed();

    record Connected() implements SmtpState { }

    /** After EHLO ({@code extended}) or HELO, outside a mail transaction. */
    record Greeted(String helo, boolean extended) implements SmtpState { }

    /** A mail transaction: MAIL given, RCPTs being collected, and between BDAT chunks. */
    record MailGiven(Greeted greeting, Transaction transaction) implements SmtpState { }

    /** Reading message content after DATA, up to the terminating {@code CRLF.CRLF}. */
    record InData(Greeted greeting, Transaction transaction, SmtpDataDecoder decoder) implements SmtpState { }

    /**
     * Reading the octets of one BDAT chunk (RFC 3030): {@code remaining} of its {@code size}, whether it is the
     * {@code last}, why it is refused (null when not: a refused chunk is still read, the client pipelines it),
     * and the state it belongs to, which resumes afterwards.
     */
    record InBdat(SmtpState outer, long remaining, long size, boolean last, @Nullable String refusal)
            implements SmtpState {

        InBdat less(long read) {
            return new InBdat(outer, remaining - read, size, last, refusal);
        }
    }

    record Closed() implements SmtpState { }
}
