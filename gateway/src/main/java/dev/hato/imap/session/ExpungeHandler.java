package dev.hato.imap.session;

import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import dev.hato.store.directory.Account;
import dev.hato.store.mail.MessageMeta;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** RFC 3501 §6.4.3 EXPUNGE and RFC 4315 UID EXPUNGE: the messages marked \\Deleted leave the mailbox. */
final class ExpungeHandler {

    private final ImapSession session;
    private final ImapServices services;

    ExpungeHandler(ImapSession session) {
        this.session = session;
        this.services = session.services();
    }

    Flux<Action> expunge(ImapCommand.Expunge command) {
        return session.guarded(command.tag(), expunge(session.user(), session.mailbox(), command.tag(), null));
    }

    Flux<Action> uidExpunge(ImapCommand.UidExpunge command) {
        SelectedMailbox mailbox = session.mailbox();
        return session.guarded(command.tag(), expunge(session.user(), mailbox, command.tag(),
                mailbox.resolve(command.set(), true, session.savedResult())));
    }

    private Flux<Action> expunge(Account user, SelectedMailbox mailbox, String tag, @Nullable List<Long> only) {
        if (mailbox.readOnly()) {
            return session.no(tag, "[READ-ONLY] The mailbox is read-only");
        }
        List<Long> deleted = deletedUids(mailbox, only);
        Mono<Void> expunge = deleted.isEmpty() ? Mono.empty()
                : services.mailboxes().expunge(user.id(), mailbox.id(), deleted);
        // RFC 7162 §3.2.7: with QRESYNC enabled, an EXPUNGE (UID EXPUNGE alike) that removed a message MUST report
        // the mailbox's new HIGHESTMODSEQ, read with the expunge's own change, in its tagged OK.
        boolean reportModseq = session.qresync() && !deleted.isEmpty();
        return expunge.thenMany(session.done(tag, () -> reportModseq
                ? "OK [HIGHESTMODSEQ " + mailbox.highestModseq() + "] EXPUNGE completed" : "OK EXPUNGE completed",
                true, true));
    }

    static List<Long> deletedUids(SelectedMailbox mailbox, @Nullable List<Long> only) {
        List<Long> deleted = new ArrayList<>();
        for (Long uid : only == null ? mailbox.uidsInView() : only) {
            MessageMeta message = mailbox.message(uid);
            if (message != null && message.flags().contains("\\Deleted")) {
                deleted.add(uid);
            }
        }
        return deleted;
    }

}
