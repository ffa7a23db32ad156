package dev.hato.imap.session;

import dev.hato.imap.fetch.ObjectIds;
import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import dev.hato.store.directory.Account;
import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.Mailboxes.RecentClaim;
import dev.hato.store.mail.MessageMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * RFC 3501 §6.3.1 and §6.3.2 SELECT and EXAMINE, with RFC 7162 CONDSTORE and QRESYNC: the mailbox is read into a
 * {@link SelectedMailbox} snapshot, this session's \\Recent claimed, and the snapshot watched for changes. After ENABLE
 * IMAP4rev2 the responses are those of RFC 9051 §6.3.2: a LIST response for the mailbox, {@code [CLOSED]} when another
 * was selected, and neither the deprecated RECENT response nor the UNSEEN code (Appendix E items 9 to 12).
 */
final class SelectHandler {

    private final ImapSession session;
    private final ImapServices services;

    SelectHandler(ImapSession session) {
        this.session = session;
        this.services = session.services();
    }

    Flux<Action> select(ImapCommand.Select command) {
        return select(session.user(), command);
    }

    private Flux<Action> select(Account user, ImapCommand.Select select) {
        String tag = select.tag();
        String name = MailboxNames.fromWire(select.mailbox(), session.utf8());
        ImapCommand.QResync resync = select.qresync();
        if (resync != null && !session.qresync()) {
            return session.bad(tag, "QRESYNC needs ENABLE QRESYNC first"); // RFC 7162 §3.2.5
        }
        // RFC 7162 §3.2.11: leaving a selected mailbox for another is announced with [CLOSED] by a server that
        // advertises CONDSTORE or QRESYNC, "whether or not a CONDSTORE enabling command was issued" (and RFC 9051
        // §6.3.2 asks it of every IMAP4rev2 SELECT and EXAMINE).
        boolean rev2 = session.imap4rev2();
        Flux<Action> closed = session.selected() != null
                ? ImapSession.line("* OK [CLOSED] Previous mailbox closed") : Flux.empty();
        session.unselect();
        if (select.condStore()) {
            session.enableCondStore();
        }
        boolean readOnly = select.readOnly();
        Flux<Action> work = session.find(user, name).flatMapMany(info -> {
            // RFC 3501 §2.3.2: the claim after the read, so that every message read is claimed by this session or an
            // earlier one; what the claim takes beyond the read shows \Recent here when it arrives.
            return services.mailboxes().messages(user.id(), info.id()).collectList()
                    .flatMapMany(messages -> recentClaim(user, info, readOnly, messages).flatMapMany(claim -> {
                        SelectedMailbox mailbox = new SelectedMailbox(info, readOnly, messages, claim.orElse(null));
                        if (rev2) {
                            mailbox.imap4rev2();
                        }
                        if (session.enter(new ImapState.Selected(user, mailbox))) {
                            session.updates().watch(mailbox);
                        }
                        List<String> lines = new ArrayList<>(mailbox.flagsResponses());
                        lines.add("* " + mailbox.exists() + " EXISTS");
                        long unseen = mailbox.firstUnseen();
                        if (!rev2) {
                            lines.add("* " + mailbox.recentCount() + " RECENT");
                        }
                        if (unseen > 0 && !rev2) {
                            lines.add("* OK [UNSEEN " + unseen + "] First unseen message");
                        }
                        lines.add("* OK [UIDVALIDITY " + info.uidValidity() + "] UIDs valid");
                        long uidNext = Math.max(info.uidNext(), messages.isEmpty() ? 1
                                : messages.get(messages.size() - 1).uid() + 1);
                        lines.add("* OK [UIDNEXT " + uidNext + "] Predicted next UID");
                        // RFC 7162 §3.1.2.1: a CONDSTORE server sends HIGHESTMODSEQ on every SELECT/EXAMINE.
                        lines.add("* OK [HIGHESTMODSEQ " + mailbox.highestModseq() + "] Highest");
                        // RFC 8474 §4.2: every successful SELECT and EXAMINE.
                        lines.add("* OK [MAILBOXID (" + ObjectIds.mailboxId(info.id()) + ")] Ok");
                        Flux<Action> out = Flux.fromIterable(lines).map(text -> (Action) Action.line(text));
                        if (rev2) {
                            out = out.concatWith(ListHandler.selectedList(session, user, info));
                        }
                        if (resync != null && resync.uidValidity() == info.uidValidity()) {
                            out = out.concatWith(Flux.defer(() -> resynchronize(user, mailbox, resync)));
                        }
                        return out.concatWith(ImapSession.line(tag + " OK [" + (readOnly ? "READ-ONLY" : "READ-WRITE")
                                + "] " + (readOnly ? "EXAMINE" : "SELECT") + " completed"));
                    }));
        });
        return Flux.concat(closed, session.guarded(tag, work));
    }

    /**
     * The recent claim of a SELECT that read {@code messages} (in UID order), none when there are no messages. EXAMINE
     * claims nothing (RFC 3501 §6.3.2) and sees as \Recent what no session had claimed when the mailbox was found.
     */
    private Mono<Optional<RecentClaim>> recentClaim(Account user, MailboxInfo info, boolean readOnly,
                                                    List<MessageMeta> messages) {
        if (readOnly) {
            return Mono.just(Optional.of(SelectedMailbox.unclaimed(info.firstRecentUid())));
        }
        if (messages.isEmpty()) {
            return Mono.just(Optional.empty());
        }
        return services.changes().claimFor(user.id(), info.id(), messages.get(messages.size() - 1).uid())
                .map(Optional::of).defaultIfEmpty(Optional.empty());
    }

    /**
     * RFC 7162 §3.2.5.2: what changed since the client's modseq: {@code VANISHED (EARLIER)} for expunged UIDs it
     * knew (all we keep, so the seq-match data is not needed), then FETCH (UID FLAGS MODSEQ) of changed messages.
     */
    private Flux<Action> resynchronize(Account user, SelectedMailbox mailbox, ImapCommand.QResync resync) {
        long star = Math.max(0, mailbox.info().uidNext() - 1);
        Flux<Action> vanished = services.mailboxes().expungedSince(user.id(), mailbox.id(), resync.modseq())
                .filter(uid -> resync.knownUids() == null || contains(resync.knownUids(), uid, star))
                .collectList()
                .flatMapMany(uids -> uids.isEmpty() ? Flux.<Action>empty()
                        : ImapSession.line("* VANISHED (EARLIER) " + ResponseText.set(uids)));
        Flux<Action> changed = Flux.defer(() -> {
            List<Action> lines = new ArrayList<>();
            for (Long uid : mailbox.uidsInView()) {
                MessageMeta message = mailbox.message(uid);
                if (message != null && message.modseq() > resync.modseq()) {
                    lines.add(Action.line(mailbox.fetchFlags(message, true, true)));
                }
            }
            return Flux.fromIterable(lines);
        });
        return Flux.concat(vanished, changed);
    }

    /** Whether a UID set (as sent, {@code *} standing for {@code star}) names {@code uid}. */
    static boolean contains(dev.hato.imap.wire.SequenceSet set, long uid, long star) {
        for (dev.hato.imap.wire.SequenceSet.Range range : set.ranges()) {
            long from = range.from() == dev.hato.imap.wire.SequenceSet.STAR ? star : range.from();
            long to = range.to() == dev.hato.imap.wire.SequenceSet.STAR ? star : range.to();
            if (uid >= Math.min(from, to) && uid <= Math.max(from, to)) {
                return true;
            }
        }
        return false;
    }
}
