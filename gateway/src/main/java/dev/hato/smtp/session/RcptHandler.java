package dev.hato.smtp.session;

import static dev.hato.smtp.session.SmtpContext.reply;

import dev.hato.delivery.Admission;
import dev.hato.delivery.RecipientRequest;
import dev.hato.protocol.Action;
import dev.hato.smtp.command.SmtpCommand;
import dev.hato.smtp.command.Xtext;
import dev.hato.store.directory.Account;
import dev.hato.store.queue.OutboundRecipient;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

/**
 * RCPT (RFC 5321 §4.1.1.3) with NOTIFY and ORCPT (RFC 3461): the delivery pipeline admits the recipient or says why
 * not; unknown users are answered here, slowly and not for long (directory harvesting). A logged-in sender's
 * recipients count against the {@link SendLimits}.
 */
final class RcptHandler implements CommandHandler<SmtpCommand.Rcpt> {

    private static final Logger LOG = LoggerFactory.getLogger(RcptHandler.class);

    @Override
    public Flux<Action> handle(SmtpContext session, SmtpCommand.Rcpt rcpt) {
        Transaction current = session.transaction();
        if (current == null) {
            return session.error("503 5.5.1 Need MAIL before RCPT");
        }
        EnumSet<OutboundRecipient.Notify> notify = EnumSet.noneOf(OutboundRecipient.Notify.class);
        String orcpt = null;
        for (Map.Entry<String, String> parameter : rcpt.parameters().entrySet()) {
            String value = parameter.getValue();
            switch (parameter.getKey()) {
                case "NOTIFY" -> {
                    // RFC 3461 §4.1: NEVER, or a comma-separated list of SUCCESS, FAILURE, DELAY.
                    if (value == null || !parseNotify(value, notify)) {
                        return session.error("501 5.5.4 Syntax: NOTIFY=NEVER or NOTIFY=SUCCESS,FAILURE,DELAY");
                    }
                }
                case "ORCPT" -> {
                    // RFC 3461 §4.2: addr-type ";" xtext; RFC 6533 §3 utf-8 addresses under SMTPUTF8.
                    orcpt = value == null ? null : originalRecipient(value, current.envelope.utf8());
                    if (orcpt == null) {
                        return session.error("501 5.5.4 Syntax: ORCPT=rfc822;<xtext address>");
                    }
                }
                default -> {
                    return session.error("555 5.5.4 Unsupported RCPT parameter " + parameter.getKey());
                }
            }
        }
        if (current.recipients.count() >= session.settings.maxRecipients()) {
            return reply("452 4.5.3 Too many recipients");
        }
        String address = rcpt.forwardPath();
        if (!current.envelope.utf8() && !SmtpContext.isAscii(address)) {
            return reply("553 5.6.7 Non-ASCII address without SMTPUTF8; add SMTPUTF8 to MAIL FROM");
        }
        if (address.indexOf('@') < 0) {
            // RFC 5321 §4.5.1: "postmaster" without a domain must be accepted for the server's own domain.
            address = address + "@" + session.settings.hostName();
        }
        String target = address;
        RecipientRequest request = new RecipientRequest(target, notify, orcpt, current.envelope.utf8(),
                session.settings.role() == SmtpSettings.Role.SUBMISSION);
        // A logged-in sender's recipient is counted before it is admitted and given back when it is not.
        Account sender = session.user;
        String client = session.connection.remoteIp();
        if (sender != null) {
            String limited = session.services.sendLimits().recipient(sender, client);
            if (limited != null) {
                return reply(limited);
            }
        }
        Runnable notAccepted = () -> {
            if (sender != null) {
                session.services.sendLimits().returnRecipient(sender, client);
            }
        };
        return session.services.delivery().admit(current.recipients, request)
                .flatMapMany(admission -> {
                    if (admission instanceof Admission.Admitted) {
                        return reply("250 2.1.5 Recipient OK");
                    }
                    notAccepted.run();
                    if (admission instanceof Admission.UnknownUser) {
                        // RFC 5321 §3.3: a refused recipient is an answer, not a protocol error of the client.
                        return unknownRecipient(session, target);
                    }
                    return reply(((Admission.Refused) admission).reply().line());
                })
                .onErrorResume(failure -> {
                    notAccepted.run();
                    LOG.warn("recipient lookup failed: {}", failure.toString());
                    return reply("451 4.3.0 Temporary lookup failure, try again later");
                });
    }

    /**
     * The answer to a RCPT for a user that does not exist: 550, later ones of the connection after a growing delay
     * (on a timer, the event loop is not held), and past the limit of the connection or of the client address 421
     * and the end of the connection (RFC 5321 §3.8), so that guessing addresses is slow and soon over. Not for an
     * authenticated session: it gets its 550 at once and is counted nowhere.
     */
    private static Flux<Action> unknownRecipient(SmtpContext session, String target) {
        String unknown = "550 5.1.1 <" + target + ">: Recipient address rejected: User unknown";
        if (session.user != null) {
            // A logged-in user sending to stale addresses is not harvesting, and counting it per client address
            // would send everyone behind the same NAT away: an account's sending is to be bounded per account.
            return reply(unknown);
        }
        UnknownRecipients guard = session.services.unknownRecipients();
        UnknownRecipients.Verdict verdict = guard.unknown(session.connection.remoteIp(), ++session.unknownRecipients);
        if (verdict.close()) {
            session.stop();
            return Flux.just(Action.line("421 4.7.0 " + session.settings.hostName()
                    + " Too many unknown recipients, closing connection"), Action.close());
        }
        return guard.pause(verdict.delay()).thenMany(reply(unknown));
    }

    /** Fills {@code into} from a NOTIFY value; false when it is malformed (RFC 3461 §4.1). */
    private static boolean parseNotify(String value, Set<OutboundRecipient.Notify> into) {
        for (String part : value.split(",", -1)) {
            OutboundRecipient.Notify kind;
            try {
                kind = OutboundRecipient.Notify.valueOf(part.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return false;
            }
            if (!into.add(kind)) {
                return false;
            }
        }
        return !(into.contains(OutboundRecipient.Notify.NEVER) && into.size() > 1);
    }

    /** {@code addr-type;address} with the address decoded, or null when malformed. */
    private static @Nullable String originalRecipient(String value, boolean utf8) {
        int semicolon = value.indexOf(';');
        if (semicolon <= 0 || semicolon == value.length() - 1) {
            return null;
        }
        String type = value.substring(0, semicolon);
        if (!type.chars().allMatch(c -> c < 0x80 && (Character.isLetterOrDigit(c) || c == '-'))) {
            return null;
        }
        boolean unicode = utf8 && type.equalsIgnoreCase("utf-8");
        String address = Xtext.decode(value.substring(semicolon + 1), unicode);
        return address == null ? null : type.toLowerCase(Locale.ROOT) + ";" + address;
    }
}
