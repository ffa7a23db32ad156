package dev.hato.imap.session;

import dev.hato.imap.fetch.FetchOptions;
import dev.hato.imap.fetch.FetchRenderer;
import dev.hato.imap.wire.FetchAttribute;
import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import dev.hato.store.directory.Account;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessageMeta;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * RFC 3501 §6.4.5 FETCH and UID FETCH, with RFC 7162 CHANGEDSINCE and VANISHED and RFC 3516 BINARY: the messages of
 * the set, read ahead in windows and rendered one at a time by {@link FetchResponder}; \\Seen set first where the
 * items ask for it.
 */
final class FetchHandler {

    /** Messages of one FETCH rendered per read-ahead (FetchRenderer.prefetch): one query each, their heads held. */
    private static final int FETCH_WINDOW = 50;

    private final ImapSession session;
    private final ImapServices services;

    FetchHandler(ImapSession session) {
        this.session = session;
        this.services = session.services();
    }

    Flux<Action> fetch(ImapCommand.Fetch command) {
        return session.guarded(command.tag(), fetch(session.user(), session.mailbox(), command));
    }

    private Flux<Action> fetch(Account user, SelectedMailbox mailbox, ImapCommand.Fetch fetch) {
        String tag = fetch.tag();
        List<Long> uids = mailbox.resolve(fetch.set(), fetch.uid(), session.savedResult());
        boolean modseq = session.condStore() || fetch.changedSince() != null
                || fetch.attributes().contains(new FetchAttribute.Simple(FetchAttribute.Item.MODSEQ));
        if (modseq) {
            session.enableCondStore(); // RFC 7162 §3.1: FETCH MODSEQ and CHANGEDSINCE enable CONDSTORE.
        }
        List<MessageMeta> messages = new ArrayList<>();
        boolean expungedAsked = false;
        for (Long uid : uids) {
            MessageMeta message = mailbox.message(uid);
            if (message == null) {
                expungedAsked = true;
            } else if (fetch.changedSince() == null || message.modseq() > fetch.changedSince()) {
                messages.add(message);
            }
        }
        boolean setsSeen = !mailbox.readOnly() && FetchRenderer.setsSeen(fetch.attributes());
        List<Long> unseen = new ArrayList<>();
        if (setsSeen) {
            for (MessageMeta message : messages) {
                if (!message.flags().contains("\\Seen")) {
                    unseen.add(message.uid());
                }
            }
        }
        Mono<Set<Long>> seen = unseen.isEmpty() ? Mono.just(Set.of())
                : services.mailboxes().store(user.id(), mailbox.id(), unseen, Mailboxes.FlagMode.ADD,
                        Set.of("\\Seen"), null).map(update -> {
                            Set<Long> changed = new HashSet<>();
                            for (MessageMeta message : update.changed()) {
                                mailbox.updated(message);
                                mailbox.sawModseq(message.modseq());
                                changed.add(message.uid());
                            }
                            return changed;
                        });
        boolean uid = fetch.uid();
        Long since = fetch.changedSince();
        long star = Math.max(0, mailbox.info().uidNext() - 1);
        // RFC 7162 §3.2.6: UID FETCH ... (CHANGEDSINCE m VANISHED) reports expunges in the set since m first.
        Flux<Action> vanished = !fetch.vanished() || since == null || !session.qresync() ? Flux.empty()
                : services.mailboxes().expungedSince(user.id(), mailbox.id(), since)
                        .filter(gone -> SelectHandler.contains(fetch.set(), gone, Math.max(star, gone)))
                        .collectList()
                        .flatMapMany(gone -> gone.isEmpty() ? Flux.<Action>empty()
                                : ImapSession.line("* VANISHED (EARLIER) " + ResponseText.set(gone)));
        String finalText = expungedAsked ? "OK [EXPUNGEISSUED] Some messages were expunged; FETCH completed"
                : "OK FETCH completed";
        // Windows of FETCH_WINDOW messages: one read ahead per window, then its responses one message at a time.
        Function<Set<Long>, Flux<Action>> responses = changed -> Flux.fromIterable(messages).buffer(FETCH_WINDOW)
                .concatMap(window -> services.fetch()
                .prefetch(window, fetch.attributes())
                .flatMapMany(prefetched -> Flux.fromIterable(window).concatMap(original -> {
                    MessageMeta message = mailbox.message(original.uid());
                    if (message == null) {
                        return Flux.<Action>empty();
                    }
                    // \Recent is per session, not stored: FLAGS shows it by adding it to the message's flags.
                    MessageMeta shown = message.withFlags(
                            mailbox.isRecent(message.uid()) ? Set.of("\\Recent") : Set.of());
                    FetchOptions options = new FetchOptions(uid || session.qresync(), modseq,
                            changed.contains(message.uid()));
                    return services.fetch().render(mailbox.sequence(message.uid()), shown, fetch.attributes(),
                            options, prefetched).map(bytes -> (Action) new Action.Write(bytes));
                })));
        // RFC 3501 §7.2.6: setting \Seen read the messages' flags afresh; a keyword another session added meanwhile
        // is announced before the FETCH that shows it.
        Flux<Action> newFlags = Flux.defer(() -> Flux.fromIterable(mailbox.newFlagsResponses()).map(Action::line));
        Flux<Action> work = seen.flatMapMany(changed -> Flux.concat(vanished, newFlags, responses.apply(changed),
                session.done(tag, finalText, uid)));
        // RFC 3516 §4.3: BINARY of a part whose transfer encoding the server cannot decode. The renderer fails before
        // the first octet of that message, so the responses already sent are whole.
        return work.onErrorResume(dev.hato.message.UnknownTransferEncodingException.class,
                failure -> ImapSession.line(tag + " NO [UNKNOWN-CTE] " + failure.getMessage()));
    }
}
