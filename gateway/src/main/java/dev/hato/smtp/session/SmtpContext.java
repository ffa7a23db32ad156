package dev.hato.smtp.session;

import dev.hato.protocol.Action;
import dev.hato.protocol.ConnectionInfo;
import dev.hato.protocol.TlsParameters;
import dev.hato.protocol.wire.LineFramer;
import dev.hato.store.directory.Account;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * One SMTP connection as its command handlers see it: the conversation's {@link SmtpState}, what belongs to the
 * whole connection (TLS, the logged-in user, the error counters), and the replies. Confined to the connection (the
 * edge never calls a session concurrently).
 */
final class SmtpContext {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    final SmtpSettings settings;
    final ConnectionInfo connection;
    final SmtpServices services;
    final LineFramer lines;
    /** The input being decoded (STARTTLS drops what follows it). */
    ByteBuffer input = EMPTY;
    SmtpState state = SmtpState.CONNECTED;
    boolean tls;
    /** The TLS protocol and cipher suite, once the edge reports the handshake (for the mail log). */
    volatile @Nullable TlsParameters tlsParameters;
    @Nullable Account user;
    int errors;
    int commandsBeforeAuth;
    /** RCPTs of this connection refused as unknown users (directory harvesting is bounded by them). */
    int unknownRecipients;
    private final AuthHandler auth;

    SmtpContext(SmtpSettings settings, ConnectionInfo connection, SmtpServices services) {
        this.settings = settings;
        this.connection = connection;
        this.services = services;
        this.lines = new LineFramer(settings.maxLineLength());
        this.tls = connection.tls();
        this.auth = new AuthHandler(this);
    }

    /** The AUTH exchange of this connection (it spans several input lines). */
    AuthHandler auth() {
        return auth;
    }

    boolean stopped() {
        return state instanceof SmtpState.Closed;
    }

    /** Ends the conversation: the transaction (if any) is discarded and nothing more is read. */
    void stop() {
        discardTransaction();
        state = SmtpState.CLOSED;
    }

    /** The EHLO or HELO in force, or null before one (and after STARTTLS). */
    SmtpState.@Nullable Greeted greeting() {
        return greeting(state);
    }

    private static SmtpState.@Nullable Greeted greeting(SmtpState state) {
        if (state instanceof SmtpState.Greeted greeted) {
            return greeted;
        } else if (state instanceof SmtpState.MailGiven mail) {
            return mail.greeting();
        } else if (state instanceof SmtpState.InData data) {
            return data.greeting();
        } else if (state instanceof SmtpState.InBdat bdat) {
            return greeting(bdat.outer());
        }
        return null;
    }

    /** The mail transaction in progress, or null. */
    @Nullable Transaction transaction() {
        return transaction(state);
    }

    private static @Nullable Transaction transaction(SmtpState state) {
        if (state instanceof SmtpState.MailGiven mail) {
            return mail.transaction();
        } else if (state instanceof SmtpState.InData data) {
            return data.transaction();
        } else if (state instanceof SmtpState.InBdat bdat) {
            return transaction(bdat.outer());
        }
        return null;
    }

    /** Whether the client used EHLO (not HELO) for the greeting in force. */
    boolean extended() {
        SmtpState.Greeted greeting = greeting();
        return greeting != null && greeting.extended();
    }

    /** Ends the mail transaction, if any, and frees its spool; the greeting stays. */
    void discardTransaction() {
        Transaction current = transaction();
        if (!stopped()) {
            SmtpState.Greeted greeting = greeting();
            state = greeting != null ? greeting : SmtpState.CONNECTED;
        }
        if (current != null && current.spool != null) {
            current.spool.discard();
        }
    }

    /** A reply to a client mistake: after {@code maxErrors} of them the connection ends. */
    Flux<Action> error(String text) {
        errors++;
        if (errors >= settings.maxErrors()) {
            stop();
            return Flux.<Action>just(Action.line(text),
                    Action.line("421 4.7.0 " + settings.hostName() + " Too many errors, closing connection"),
                    Action.close());
        }
        return reply(text);
    }

    boolean startTlsAvailable() {
        return settings.startTlsOffered() && !tls;
    }

    boolean authAvailable() {
        return settings.role() == SmtpSettings.Role.SUBMISSION && tls && user == null;
    }

    String protocolName(boolean utf8) {
        // RFC 3848 with-protocol types; RFC 6531 §3.7.3 UTF8SMTP, UTF8SMTPA, UTF8SMTPS, UTF8SMTPSA.
        if (!extended()) {
            return "SMTP";
        }
        return (utf8 ? "UTF8SMTP" : "ESMTP") + (tls ? "S" : "") + (user != null ? "A" : "");
    }

    static Flux<Action> reply(String text) {
        return Flux.<Action>just(Action.line(text));
    }

    static Flux<Action> multiline(int code, List<String> texts) {
        StringBuilder reply = new StringBuilder();
        for (int i = 0; i < texts.size(); i++) {
            reply.append(code).append(i == texts.size() - 1 ? ' ' : '-').append(texts.get(i)).append("\r\n");
        }
        return Flux.<Action>just(new Action.Write(ByteBuffer.wrap(reply.toString().getBytes(StandardCharsets.UTF_8))));
    }

    static boolean isAscii(String text) {
        return text.chars().allMatch(c -> c < 0x80);
    }
}
