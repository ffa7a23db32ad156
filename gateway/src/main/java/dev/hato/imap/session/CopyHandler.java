package dev.hato.imap.session;

import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import dev.hato.store.directory.Account;
import dev.hato.store.mail.MailboxException;
import dev.hato.store.mail.MessageMeta;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * RFC 3501 §6.4.7 COPY and RFC 6851 MOVE (and their UID forms), with RFC 4315 COPYUID; messages moved or copied into
 * or out of Junk go to the {@link JunkReports}.
 */
final class CopyHandler {

    private final ImapSession session;
    private final ImapServices services;

    CopyHandler(ImapSession session) {
        this.session = session;
        this.services = session.services();
    }

    Flux<Action> copy(ImapCommand.Copy command) {
        return session.guarded(command.tag(), copy(session.user(), session.mailbox(), command));
    }

    private Flux<Action> copy(Account user, SelectedMailbox mailbox, ImapCommand.Copy copy) {
        String tag = copy.tag();
        String verb = copy.move() ? "MOVE" : "COPY";
        if (copy.move() && mailbox.readOnly()) {
            return session.no(tag, "[READ-ONLY] The mailbox is read-only");
        }
        String target = MailboxNames.fromWire(copy.mailbox(), session.utf8());
        List<Long> uids = new ArrayList<>();
        List<MessageMeta> messages = new ArrayList<>();
        for (Long uid : mailbox.resolve(copy.set(), copy.uid(), session.savedResult())) {
            MessageMeta message = mailbox.message(uid);
            if (message != null) {
                uids.add(uid);
                messages.add(message);
            }
        }
        Flux<Action> work = services.mailboxes().find(user.id(), target)
                .switchIfEmpty(Mono.error(new MailboxException(MailboxException.Reason.NONEXISTENT,
                        "[TRYCREATE] No such mailbox")))
                .flatMapMany(info -> {
                    if (uids.isEmpty()) {
                        return session.done(tag, "OK " + verb + " completed (no messages)", copy.uid() || copy.move());
                    }
                    return services.mailboxes().copy(user.id(), mailbox.id(), uids, info.id(), copy.move())
                            .flatMapMany(result -> {
                                Boolean spam = JunkReports.judgement(mailbox.info().specialUse(), info.specialUse());
                                if (spam != null) {
                                    services.junkReports().report(user, messages, spam);
                                }
                                String code = result.sourceUids().isEmpty() ? ""
                                        : "[COPYUID " + result.targetUidValidity() + " "
                                        + ResponseText.orderedSet(result.sourceUids()) + " "
                                        + ResponseText.orderedSet(result.targetUids()) + "] ";
                                if (!copy.move()) {
                                    return session.done(tag, "OK " + code + "COPY completed", copy.uid());
                                }
                                // RFC 6851 §4.3: COPYUID in an untagged OK, then the expunges, then the tagged OK.
                                return Flux.concat(ImapSession.line("* OK " + code + "Moved"),
                                        session.done(tag, "OK MOVE completed", true, true));
                            });
                });
        return session.guarded(tag, work);
    }
}
