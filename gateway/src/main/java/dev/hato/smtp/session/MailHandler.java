package dev.hato.smtp.session;

import static dev.hato.smtp.session.SmtpContext.reply;

import dev.hato.dsn.DeliveryReports;
import dev.hato.protocol.Action;
import dev.hato.smtp.command.SmtpCommand;
import dev.hato.smtp.command.Xtext;
import dev.hato.store.directory.Account;
import dev.hato.store.queue.Envelope;
import java.util.Map;
import reactor.core.publisher.Flux;

/**
 * MAIL (RFC 5321 §4.1.1.2) and its parameters: SIZE (RFC 1870), BODY (RFC 6152, RFC 3030), SMTPUTF8 (RFC 6531),
 * RET and ENVID (RFC 3461), AUTH (RFC 4954 §5). On the submission role the sender must be the logged-in user; a
 * logged-in user's messages count against the {@link SendLimits}.
 */
final class MailHandler implements CommandHandler<SmtpCommand.Mail> {

    @Override
    public Flux<Action> handle(SmtpContext session, SmtpCommand.Mail mail) {
        SmtpState.Greeted greeting = session.greeting();
        if (greeting == null) {
            return session.error("503 5.5.1 Send EHLO or HELO first");
        }
        if (session.transaction() != null) {
            return session.error("503 5.5.1 Nested MAIL command");
        }
        if (session.settings.role() == SmtpSettings.Role.SUBMISSION) {
            if (!session.tls) {
                return session.error("530 5.7.0 Must issue a STARTTLS command first");
            }
            Account account = session.user;
            if (account == null) {
                return session.error("530 5.7.0 Authentication required");
            }
            // RFC 8098 §2.1: read receipts go out with a null reverse-path.
            if (!mail.reversePath().isEmpty() && !mail.reversePath().equalsIgnoreCase(account.address())) {
                return session.error("553 5.7.1 Sender address <" + mail.reversePath()
                        + "> is not owned by the authenticated user; use " + account.address());
            }
        }
        boolean utf8 = false;
        Envelope.Body body = Envelope.Body.SEVEN_BIT;
        Envelope.Ret ret = null;
        String envId = null;
        for (Map.Entry<String, String> parameter : mail.parameters().entrySet()) {
            String value = parameter.getValue();
            switch (parameter.getKey()) {
                case "SIZE" -> {
                    long declared;
                    try {
                        declared = value == null ? -1 : Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        declared = -1;
                    }
                    if (declared < 0) {
                        return session.error("501 5.5.4 Syntax: SIZE=<octets>");
                    }
                    // RFC 1870 §6.2: refuse at MAIL when the declared size is over the limit.
                    if (declared > session.settings.maxMessageSize()) {
                        return session.error("552 5.3.4 Message size exceeds fixed maximum message size of "
                                + session.settings.maxMessageSize() + " octets");
                    }
                }
                case "BODY" -> {
                    Envelope.Body declared = value == null ? null : Envelope.Body.of(value);
                    if (declared == null) {
                        return session.error("501 5.5.4 BODY must be 7BIT, 8BITMIME or BINARYMIME");
                    }
                    body = declared;
                }
                case "SMTPUTF8" -> {
                    // RFC 6531 §3.4: a keyword without a value.
                    if (value != null) {
                        return session.error("501 5.5.4 SMTPUTF8 takes no value");
                    }
                    utf8 = true;
                }
                case "RET" -> {
                    // RFC 3461 §4.3
                    if (value == null || !(value.equalsIgnoreCase("FULL") || value.equalsIgnoreCase("HDRS"))) {
                        return session.error("501 5.5.4 Syntax: RET=FULL or RET=HDRS");
                    }
                    ret = value.equalsIgnoreCase("FULL") ? Envelope.Ret.FULL : Envelope.Ret.HDRS;
                }
                case "ENVID" -> {
                    // RFC 3461 §4.4: xtext of printable ASCII, at most 100 characters.
                    if (value == null || value.length() > 100 || !Xtext.isXtext(value)) {
                        return session.error("501 5.5.4 Syntax: ENVID=<xtext of at most 100 characters>");
                    }
                    envId = value;
                }
                case "AUTH" -> {
                    // RFC 4954 §5: accepted when AUTH is offered; Hato trusts no other server's claim, so the
                    // message is treated as if AUTH=<> had been given.
                    if (value == null || session.settings.role() != SmtpSettings.Role.SUBMISSION) {
                        return session.error(
                                "501 5.5.4 Syntax: AUTH=<mailbox> is accepted only on the submission ports");
                    }
                }
                default -> {
                    return session.error("555 5.5.4 Unsupported MAIL parameter " + parameter.getKey());
                }
            }
        }
        if (!utf8 && !SmtpContext.isAscii(mail.reversePath())) {
            // RFC 6531 §3.5: non-ASCII addresses only in a transaction that announced SMTPUTF8.
            return session.error("553 5.6.7 Non-ASCII address without SMTPUTF8; add SMTPUTF8 to MAIL FROM");
        }
        if (session.user != null) {
            // Counted last, once everything else about the command is right.
            String limited = session.services.sendLimits().message(session.user, session.connection.remoteIp());
            if (limited != null) {
                return reply(limited);
            }
        }
        session.state = new SmtpState.MailGiven(greeting, new Transaction(
                new Envelope(mail.reversePath(), envId, ret, utf8, body), session.user != null
                        ? DeliveryReports.Origin.AUTHENTICATED : DeliveryReports.Origin.UNAUTHENTICATED));
        return reply("250 2.1.0 Sender OK");
    }
}
