package dev.hato.imap.session;

import dev.hato.protocol.Action;
import dev.hato.store.directory.Account;
import dev.hato.store.mail.Mailboxes.RecentClaim;
import dev.hato.store.mail.MessageMeta;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The session's view of other sessions' changes to its selected mailbox: the watch on the mailbox's events, the
 * stale mark they set, the read that brings the {@link SelectedMailbox} snapshot up to date, and the untagged
 * responses announced at the end of a command (RFC 3501 §7.4.1) or at once during IDLE.
 */
final class ImapUpdates {

    private static final Logger LOG = LoggerFactory.getLogger(ImapUpdates.class);

    private final ImapSession session;
    private final AtomicBoolean stale = new AtomicBoolean();
    /** The watch on the selected mailbox's events, or null. */
    private volatile @Nullable Disposable events;

    ImapUpdates(ImapSession session) {
        this.session = session;
    }

    /** Whether changes may have happened that the snapshot does not show yet. */
    boolean stale() {
        return stale.get();
    }

    /** NOOP and CHECK: the end of the command reads what changed whether or not an event said so. */
    void markStale() {
        stale.set(true);
    }

    /**
     * Commits to the selected mailbox (and, after a gap in the feed, possibly to any) mark the snapshot stale and
     * wake an IDLE; the node's {@link MailboxChanges} calls this session only for its mailbox.
     */
    void watch(SelectedMailbox mailbox) {
        stopWatching();
        events = session.services().changes().watch(mailbox.id(), () -> {
            if (session.selected() == mailbox) {
                stale.set(true);
                session.wakeIdle();
            }
        });
        stale.set(false);
        if (session.stopped()) {
            stopWatching(); // closed while the SELECT ran
        }
    }

    void stopWatching() {
        Disposable watching = events;
        events = null;
        if (watching != null) {
            watching.dispose();
        }
    }

    /**
     * Reads what changed in the selected mailbox since the snapshot's last read and applies it to the snapshot.
     * {@code shared}: the session was woken by an event and may join a read of the node's other sessions
     * ({@link MailboxChanges#sharedChangesSince}); after a command of its own it reads alone, since the event for
     * its own change may not have arrived yet.
     */
    Mono<Void> refresh(boolean shared) {
        SelectedMailbox mailbox = session.selected();
        Account user = session.account();
        if (mailbox == null || user == null) {
            return Mono.empty();
        }
        stale.set(false);
        long since = mailbox.changesRead();
        MailboxChanges changes = session.services().changes();
        Mono<MailboxChanges.Changes> read = shared ? changes.sharedChangesSince(user.id(), mailbox.id(), since)
                : changes.changesSince(user.id(), mailbox.id(), since);
        return read.flatMap(found -> {
                    long highestNew = 0;
                    for (MessageMeta message : found.changed()) {
                        if (mailbox.sequence(message.uid()) == 0) {
                            highestNew = Math.max(highestNew, message.uid());
                        }
                    }
                    Mono<Optional<RecentClaim>> claim = highestNew == 0 ? Mono.just(Optional.empty())
                            : mailbox.readOnly() ? unclaimed(user, mailbox)
                            : changes.claimFor(user.id(), mailbox.id(), highestNew).map(Optional::of)
                                    .defaultIfEmpty(Optional.empty());
                    return claim.doOnNext(recent -> {
                        if (session.selected() == mailbox) {
                            mailbox.apply(found.changed(), found.expunged(), recent.orElse(null));
                        }
                    });
                })
                .then();
    }

    /**
     * For a read-only session, which claims nothing (RFC 3501 §6.3.2): the messages no session has claimed, read after
     * the changes, which it shows as \Recent (RFC 3501 §2.3.2). None when the mailbox is no longer found by its name.
     */
    private Mono<Optional<RecentClaim>> unclaimed(Account user, SelectedMailbox mailbox) {
        return session.services().mailboxes().find(user.id(), mailbox.info().name())
                .filter(info -> info.id() == mailbox.id())
                .map(info -> Optional.of(SelectedMailbox.unclaimed(info.firstRecentUid())))
                .defaultIfEmpty(Optional.empty());
    }

    /** The untagged responses the client may be sent now. */
    Flux<Action> untagged(boolean expungesAllowed) {
        SelectedMailbox mailbox = session.selected();
        if (mailbox == null) {
            return Flux.empty();
        }
        return Flux.fromIterable(mailbox.flush(expungesAllowed, session.condStore(), session.qresync()))
                .map(Action::line);
    }

    /** RFC 7162 §3.1: after the first CONDSTORE-enabling command while a mailbox is selected, its HIGHESTMODSEQ. */
    private Flux<Action> highestModseq() {
        SelectedMailbox mailbox = session.selected();
        if (!session.takeHighestModseqDue() || mailbox == null) {
            return Flux.empty();
        }
        return Flux.just(Action.line("* OK [HIGHESTMODSEQ " + mailbox.highestModseq() + "] Highest"));
    }

    /**
     * The end of a command: changes announced by other sessions are read when the snapshot is stale (or always with
     * {@code force}) and sent before the tagged response.
     */
    Flux<Action> done(String tag, String text, boolean expungesAllowed, boolean force) {
        return done(tag, () -> text, expungesAllowed, force);
    }

    /** As {@link #done(String, String, boolean, boolean)}, with the tagged text made after the changes were read. */
    Flux<Action> done(String tag, Supplier<String> text, boolean expungesAllowed, boolean force) {
        return Flux.defer(() -> {
            Mono<Void> read = session.selected() != null && (force || stale.get()) ? refresh(false) : Mono.empty();
            return read.onErrorResume(failure -> {
                        LOG.warn("IMAP refresh failed: {}", failure.toString());
                        return Mono.empty();
                    })
                    .thenMany(Flux.defer(() -> untagged(expungesAllowed)))
                    .concatWith(Flux.defer(this::highestModseq))
                    .concatWith(Mono.fromSupplier(() -> Action.line(tag + " " + text.get())));
        });
    }
}
