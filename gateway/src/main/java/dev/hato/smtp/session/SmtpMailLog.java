package dev.hato.smtp.session;

import dev.hato.maillog.MailEvent;
import dev.hato.protocol.Action;
import dev.hato.protocol.TlsParameters;
import dev.hato.smtp.command.SmtpCommand;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * What an SMTP session tells the mail log: each message whose content it received (with the client, its greeting,
 * TLS with its protocol and cipher suite, the login and the envelope) and each refusal of MAIL, RCPT, DATA, BDAT or
 * of the content, with its reply.
 * Never content, never credentials: the login is the auth ID the client gave.
 */
final class SmtpMailLog {

    private SmtpMailLog() { }

    /** The content of {@code current} is complete and goes to the pipeline. */
    static void received(SmtpContext session, Transaction current, long size) {
        SmtpState.Greeted greeting = session.greeting();
        TlsParameters tls = session.tls ? session.tlsParameters : null;
        session.services.mailLog().record(MailEvent.of(session.services.clock().instant(), MailEvent.RECEIVED,
                current.id, null,
                "size", size,
                "client", session.connection.remoteIp(),
                "helo", greeting == null ? null : greeting.helo(),
                "tls", session.tls,
                "tls_protocol", tls == null ? null : tls.protocol(),
                "tls_cipher", tls == null ? null : tls.cipherSuite(),
                "auth", session.user == null ? null : session.user.authId(),
                "from", current.envelope.sender(),
                "to", current.recipients.addresses(),
                "protocol", session.protocolName(current.envelope.utf8()),
                "spam", current.spam));
    }

    /**
     * The replies to {@code command}, with the refusals of MAIL, RCPT and DATA (a 4xx or 5xx reply) recorded as
     * they pass; other commands pass untouched.
     */
    static Flux<Action> watch(SmtpContext session, SmtpCommand command, Flux<Action> replies) {
        String stage;
        String recipient = null;
        if (command instanceof SmtpCommand.Mail) {
            stage = "MAIL";
        } else if (command instanceof SmtpCommand.Rcpt rcpt) {
            stage = "RCPT";
            recipient = rcpt.forwardPath();
        } else if (command instanceof SmtpCommand.Data) {
            stage = "DATA";
        } else {
            return replies;
        }
        String sender = command instanceof SmtpCommand.Mail mail ? mail.reversePath() : null;
        String to = recipient;
        return replies.doOnNext(action -> {
            if (action instanceof Action.Write write) {
                String text = StandardCharsets.UTF_8.decode(write.bytes().duplicate()).toString().strip();
                if (text.startsWith("4") || text.startsWith("5")) {
                    rejected(session, session.transaction(), stage, text, sender, to);
                }
            }
        });
    }

    /** A refusal at {@code stage} (MAIL, RCPT, DATA, BDAT) of a command of {@code current}, with its {@code reply}. */
    static void rejected(SmtpContext session, @Nullable Transaction current, String stage, String reply,
                         @Nullable String sender, @Nullable String recipient) {
        SmtpState.Greeted greeting = session.greeting();
        String from = sender != null ? sender : current == null ? null : current.envelope.sender();
        session.services.mailLog().record(MailEvent.of(session.services.clock().instant(), MailEvent.REJECTED,
                current == null || current.id.isEmpty() ? null : current.id, null,
                "stage", stage,
                "code", reply.length() >= 3 ? reply.substring(0, 3) : reply,
                "reply", reply.lines().findFirst().orElse(reply),
                "client", session.connection.remoteIp(),
                "helo", greeting == null ? null : greeting.helo(),
                "auth", session.user == null ? null : session.user.authId(),
                "from", from,
                "to", recipient));
    }
}
