package dev.hato.imap.session;

import dev.hato.imap.fetch.ObjectIds;
import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import dev.hato.store.directory.Account;
import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.MailboxStatus;
import java.util.List;
import java.util.Set;
import reactor.core.publisher.Flux;

/**
 * RFC 3501 §6.3.10 STATUS, with RFC 7162 HIGHESTMODSEQ, RFC 8438 SIZE and RFC 8474 §4.3 MAILBOXID; its line also serves
 * LIST-STATUS.
 */
final class StatusHandler {

    static final Set<String> ITEMS = Set.of("MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN",
            "HIGHESTMODSEQ", "SIZE", "DELETED", "MAILBOXID");

    private final ImapSession session;
    private final ImapServices services;

    StatusHandler(ImapSession session) {
        this.session = session;
        this.services = session.services();
    }

    Flux<Action> status(ImapCommand.Status command) {
        return session.guarded(command.tag(), status(session.user(), command));
    }

    private Flux<Action> status(Account user, ImapCommand.Status status) {
        for (String item : status.items()) {
            if (!ITEMS.contains(item)) {
                return session.bad(status.tag(), "Unknown STATUS item " + item);
            }
        }
        String name = MailboxNames.fromWire(status.mailbox(), session.utf8());
        return session.find(user, name)
                .flatMapMany(info -> Flux.concat(statusLine(user, info, status.items()),
                        session.done(status.tag(), "OK STATUS completed", true)));
    }

    Flux<Action> statusLine(Account user, MailboxInfo info, List<String> items) {
        return services.mailboxes().status(user.id(), info.id()).map(status -> {
            StringBuilder out = new StringBuilder("* STATUS ").append(MailboxNames.toWire(info.name(), session.utf8()))
                    .append(" (");
            for (String item : items) {
                if (out.charAt(out.length() - 1) != '(') {
                    out.append(' ');
                }
                out.append(item).append(' ');
                if (item.equals("MAILBOXID")) {
                    out.append('(').append(ObjectIds.mailboxId(info.id())).append(')');
                } else {
                    out.append(statusValue(status, item));
                }
            }
            if (items.contains("HIGHESTMODSEQ")) {
                session.enableCondStore(); // RFC 7162 §3.1: STATUS (HIGHESTMODSEQ) is a CONDSTORE-enabling command.
            }
            return (Action) Action.line(out.append(')').toString());
        }).flux();
    }

    private static long statusValue(MailboxStatus status, String item) {
        return switch (item) {
            case "MESSAGES" -> status.messages();
            case "RECENT" -> status.recent();
            case "UIDNEXT" -> status.uidNext();
            case "UIDVALIDITY" -> status.uidValidity();
            case "UNSEEN" -> status.unseen();
            case "HIGHESTMODSEQ" -> status.highestModseq();
            case "SIZE" -> status.size();
            case "DELETED" -> status.deleted();
            default -> throw new IllegalArgumentException(item);
        };
    }
}
