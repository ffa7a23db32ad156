package dev.hato.imap.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.hato.store.mail.Mailboxes.MailboxEvent;
import dev.hato.store.mail.Mailboxes.RecentClaim;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessageMeta;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * What the IMAP sessions of one gateway process share about changes to their mailboxes: one per node (the
 * wiring makes it next to {@link ImapServices}). A delivery to a mailbox that 100 sessions have selected wakes
 * all 100; without this each would read the change log and claim \Recent on its own (300 queries, 100 of them
 * waiting in turn for the mailbox row's lock). With it they share one read and one claim.
 *
 * <p><b>Events.</b> The component is the node's only subscriber to {@link Mailboxes#events()}. For every event it
 * takes the next value of one node-wide counter as the mailbox's <em>generation</em> (an
 * {@link MailboxEvent#anything()} raises the floor of every mailbox), and only then passes the event on: to the
 * sessions {@link #watch watching} that mailbox (all of them for {@link MailboxEvent#anything()}), then on
 * {@link #events()}. So when a session learns of an event, the generation of its mailbox already counts it. Sessions
 * watch one mailbox each, so an event costs a call per session of that mailbox, not one per session of the node.
 *
 * <p><b>Shared reads.</b> {@link #sharedChangesSince} joins a read of the same mailbox and modseq that is in flight,
 * but only one that was started at or after the generation the mailbox had when the joining request was made: a
 * read started before the newest event this node had received for the mailbox may have missed that event's commit,
 * and a session woken by that event must not be answered from it (that would be a lost notification). Reads that
 * completed are never reused; there is no cache of results.
 *
 * <p><b>Recent claims</b> (RFC 3501 §2.3.2: exactly one session sees a message as \Recent). Every claim tells up to
 * which UID everything is claimed ({@link RecentClaim#until()}); the component keeps the highest it has seen per
 * mailbox. {@link #claimFor} answers a session whose new messages are all below it with "none for you" without a
 * query; a session that arrives while a claim of the mailbox is in flight waits for it and checks again. Claims by
 * other gateway processes are not known here, so a session that is not covered asks the database, which decides.
 *
 * <p>State is kept for at most {@code maxMailboxes} mailboxes (Caffeine evicts the least useful). A mailbox without
 * state gets the current value of the node-wide counter as its generation, which is at least that of every event
 * received so far, so forgetting a mailbox only costs sharing, never a notification. Thread-safe.
 */
public final class MailboxChanges implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MailboxChanges.class);

    /** Mailboxes whose state is kept by default: about 150 octets each, so at most a few MiB. */
    public static final int DEFAULT_MAX_MAILBOXES = 50_000;

    /** Events a subscriber of {@link #events()} may fall behind by before the oldest become "anything". */
    static final int SUBSCRIBER_BUFFER = 10_000;

    /** How often a session waits for another's claim before it claims by itself (the database still decides). */
    private static final int MAX_CLAIM_WAITS = 3;

    /** The changes of one mailbox since a modseq: {@link Mailboxes#changedSince}, {@link Mailboxes#expungedSince}. */
    public record Changes(List<MessageMeta> changed, List<Long> expunged) {
        public Changes {
            changed = List.copyOf(changed);
            expunged = List.copyOf(expunged);
        }
    }

    private final Mailboxes store;
    private final Cache<Long, Watched> watched;
    /** The node-wide generation counter: one step per event received. */
    private final AtomicLong clock = new AtomicLong();
    /** The generation of the last {@link MailboxEvent#anything()}: every mailbox's generation is at least this. */
    private volatile long floor;
    private final Sinks.Many<MailboxEvent> republished = Sinks.many().multicast().directBestEffort();
    /** Who watches which mailbox; an entry leaves when its last watcher does (bounded by the sessions). */
    private final ConcurrentHashMap<Long, Set<Watcher>> watchers = new ConcurrentHashMap<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile @Nullable Disposable upstream;
    /** The store's feed has said it is listening (its first {@link MailboxEvent#anything()} came through). */
    private volatile boolean listening;
    private volatile boolean closed;

    private final Counter readsStarted;
    private final Counter readsJoined;
    private final Counter claimsMade;
    private final Counter claimsSkipped;

    public MailboxChanges(Mailboxes store, MeterRegistry meters) {
        this(store, meters, DEFAULT_MAX_MAILBOXES);
    }

    public MailboxChanges(Mailboxes store, MeterRegistry meters, int maxMailboxes) {
        if (maxMailboxes < 1) {
            throw new IllegalArgumentException("maxMailboxes must be positive: " + maxMailboxes);
        }
        this.store = store;
        this.watched = Caffeine.newBuilder().maximumSize(maxMailboxes).build();
        this.readsStarted = meters.counter("hato.imap.change.reads", "shared", "started");
        this.readsJoined = meters.counter("hato.imap.change.reads", "shared", "joined");
        this.claimsMade = meters.counter("hato.imap.recent.claims", "outcome", "claimed");
        this.claimsSkipped = meters.counter("hato.imap.recent.claims", "outcome", "skipped");
    }

    // ------------------------------------------------------------------------------------------------ events

    /**
     * The store's events, each republished after this node counted it (see the class comment), hot. The first event
     * of a subscription is {@link MailboxEvent#anything()} once the store's feed is listening, as with
     * {@link Mailboxes#events()}; a subscriber that falls {@value #SUBSCRIBER_BUFFER} events behind loses the oldest
     * and gets {@link MailboxEvent#anything()} in their place.
     */
    public Flux<MailboxEvent> events() {
        start();
        return Flux.defer(() -> {
            AtomicBoolean lost = new AtomicBoolean();
            // merge subscribes to the live events first, then reads the flag: a feed that starts listening after
            // that read announces itself on the live events, one that started before is announced here.
            return Flux.merge(republished.asFlux(),
                            Mono.fromSupplier(() -> listening ? MailboxEvent.anything() : null))
                    .onBackpressureBuffer(SUBSCRIBER_BUFFER, dropped -> lost.set(true),
                            BufferOverflowStrategy.DROP_OLDEST)
                    .concatMapIterable(event -> lost.getAndSet(false) ? List.of(MailboxEvent.anything(), event)
                            : List.of(event), 1);
        });
    }

    private void start() {
        if (started.compareAndSet(false, true) && !closed) {
            upstream = store.events().subscribe(this::receive, failure -> {
                LOG.warn("IMAP: the mailbox events ended: {}", failure.toString());
                republished.tryEmitError(failure);
            }, republished::tryEmitComplete);
        }
    }

    /**
     * Calls {@code onEvent} for every event of {@code mailboxId} and every {@link MailboxEvent#anything()} this node
     * receives from now on, after counting it, until the returned handle is disposed. On the thread that receives
     * the store's events: {@code onEvent} must be quick and must not block.
     */
    public Disposable watch(long mailboxId, Runnable onEvent) {
        start();
        Watcher watcher = new Watcher(onEvent);
        watchers.compute(mailboxId, (id, set) -> {
            Set<Watcher> into = set == null ? ConcurrentHashMap.newKeySet() : set;
            into.add(watcher);
            return into;
        });
        return () -> watchers.computeIfPresent(mailboxId, (id, set) -> {
            set.remove(watcher);
            return set.isEmpty() ? null : set;
        });
    }

    /** One subscription, so one event at a time. */
    private void receive(MailboxEvent event) {
        long generation = clock.incrementAndGet();
        if (event.isAnything()) {
            floor = generation;
            listening = true;
            for (Set<Watcher> set : watchers.values()) {
                call(set);
            }
        } else {
            // A mailbox without state needs no bump: state made later starts at the counter, past this event.
            Watched mailbox = watched.getIfPresent(event.mailboxId());
            if (mailbox != null) {
                mailbox.raise(generation);
            }
            Set<Watcher> set = watchers.get(event.mailboxId());
            if (set != null) {
                call(set);
            }
        }
        republished.tryEmitNext(event);
    }

    private static void call(Set<Watcher> set) {
        for (Watcher watcher : set) {
            try {
                watcher.onEvent.run();
            } catch (RuntimeException e) {
                // One session's failure must not end the node's feed for the others.
                LOG.warn("IMAP: a mailbox watcher failed: {}", e.toString());
            }
        }
    }

    /** The generation of a mailbox now: its newest event counted by this node, or a later value. */
    long generation(long mailboxId) {
        return Math.max(watched(mailboxId).generation(), floor);
    }

    private Watched watched(long mailboxId) {
        boolean[] created = {false};
        Watched mailbox = watched.get(mailboxId, id -> {
            created[0] = true;
            return new Watched(clock.get());
        });
        if (created[0]) {
            // An event counted while the state was being made may have looked for it before it was there; the
            // counter read after insertion is past every such event.
            mailbox.raise(clock.get());
        }
        return mailbox;
    }

    // ------------------------------------------------------------------------------------------------ reads

    /**
     * Reads the changes since {@code modseq} now, for this caller alone (after its own command, for example). The
     * expunges are read after the changed messages, never at the same time: a session's next read starts at the
     * highest modseq of the changed messages, and only an expunge read later is sure to include every expunge below
     * it (modseqs are taken in commit order). Read the other way round, an expunge committed between the two reads,
     * just before a flag change, was skipped for good and the session kept showing the gone messages.
     */
    public Mono<Changes> changesSince(long accountId, long mailboxId, long modseq) {
        return store.changedSince(accountId, mailboxId, modseq).collectList()
                .flatMap(changed -> store.expungedSince(accountId, mailboxId, modseq).collectList()
                        .map(expunged -> new Changes(changed, expunged)));
    }

    /**
     * The changes since {@code modseq}, from a read that no event this node received for the mailbox before this
     * call precedes: one in flight for the same mailbox and modseq when there is such a read, else a new one that
     * later callers may join. For a session woken by an event; not after the session's own change, whose event may
     * not have arrived yet.
     */
    public Mono<Changes> sharedChangesSince(long accountId, long mailboxId, long modseq) {
        return Mono.defer(() -> {
            Watched mailbox = watched(mailboxId);
            long required = Math.max(mailbox.generation(), floor);
            Read read;
            boolean mine = false;
            synchronized (mailbox) {
                Read running = mailbox.reads.get(modseq);
                if (running != null && running.accountId == accountId && running.generation >= required) {
                    read = running;
                } else {
                    // Started now, so after every event up to `required`; it replaces an older read as the one to
                    // join (the older one still answers those that joined it).
                    read = new Read(accountId, required);
                    mailbox.reads.put(modseq, read);
                    mine = true;
                }
            }
            if (mine) {
                readsStarted.increment();
                Read started = read;
                changesSince(accountId, mailboxId, modseq).subscribe(
                        changes -> {
                            forget(mailbox, modseq, started);
                            started.result.tryEmitValue(changes);
                        },
                        failure -> {
                            forget(mailbox, modseq, started);
                            started.result.tryEmitError(failure);
                        });
            } else {
                readsJoined.increment();
            }
            return read.result.asMono();
        });
    }

    /** A completed read is not joined again: its result may predate events that arrive from now on. */
    private static void forget(Watched mailbox, long modseq, Read read) {
        synchronized (mailbox) {
            mailbox.reads.remove(modseq, read);
        }
    }

    // ------------------------------------------------------------------------------------------------ claims

    /**
     * RFC 3501 §2.3.2 for a session that has just seen new messages up to UID {@code highestNewUid}: the claim it
     * made, whose range says which of them are \Recent for it; empty when they are all claimed already (known on
     * this node without a query, or learnt by waiting for another session's claim).
     */
    public Mono<RecentClaim> claimFor(long accountId, long mailboxId, long highestNewUid) {
        return claimFor(accountId, mailboxId, highestNewUid, 0);
    }

    private Mono<RecentClaim> claimFor(long accountId, long mailboxId, long highestNewUid, int waits) {
        return Mono.defer(() -> {
            Watched mailbox = watched(mailboxId);
            Mono<Void> running;
            Sinks.Empty<Void> done;
            synchronized (mailbox) {
                if (highestNewUid < mailbox.claimedBelow) {
                    claimsSkipped.increment();
                    return Mono.<RecentClaim>empty();
                }
                running = mailbox.claiming;
                if (running != null && waits < MAX_CLAIM_WAITS) {
                    done = null;
                } else {
                    done = Sinks.empty();
                    mailbox.claiming = done.asMono();
                }
            }
            if (done == null) {
                // Another session's claim of this mailbox is in flight: what it takes is not ours; check again.
                return running.onErrorResume(failure -> Mono.empty())
                        .then(claimFor(accountId, mailboxId, highestNewUid, waits + 1));
            }
            Mono<Void> mine = done.asMono();
            return claim(accountId, mailboxId, mailbox).doFinally(signal -> {
                synchronized (mailbox) {
                    if (mailbox.claiming == mine) {
                        mailbox.claiming = null;
                    }
                }
                done.tryEmitEmpty();
            });
        });
    }

    /**
     * A claim that must be made whatever this node knows (SELECT, which has not looked at the messages yet); it
     * tells the component what it took, so that later sessions need not ask.
     */
    public Mono<RecentClaim> claim(long accountId, long mailboxId) {
        return Mono.defer(() -> claim(accountId, mailboxId, watched(mailboxId)));
    }

    private Mono<RecentClaim> claim(long accountId, long mailboxId, Watched mailbox) {
        return store.claimRecent(accountId, mailboxId).doOnNext(claim -> {
            claimsMade.increment();
            synchronized (mailbox) {
                mailbox.claimedBelow = Math.max(mailbox.claimedBelow, claim.until());
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        Disposable subscription = upstream;
        if (subscription != null) {
            subscription.dispose();
        }
        republished.tryEmitComplete();
    }

    // ------------------------------------------------------------------------------------------------ state

    /** What this node knows of one mailbox. */
    private static final class Watched {
        private final AtomicLong generation;
        /** Reads in flight by modseq; guarded by this. Entries leave when their read completes. */
        private final Map<Long, Read> reads = new HashMap<>(4);
        /** Every UID below this is claimed (the highest {@link RecentClaim#until()} seen); guarded by this. */
        private long claimedBelow;
        /** Completes when the claim in flight ends; null when none is; guarded by this. */
        private @Nullable Mono<Void> claiming;

        Watched(long generation) {
            this.generation = new AtomicLong(generation);
        }

        long generation() {
            return generation.get();
        }

        void raise(long to) {
            generation.accumulateAndGet(to, Math::max);
        }
    }

    /** One registration of {@link #watch}; by identity, so a callback may be registered twice. */
    private static final class Watcher {
        private final Runnable onEvent;

        Watcher(Runnable onEvent) {
            this.onEvent = onEvent;
        }
    }

    /** A read in flight: started when the mailbox's generation was {@code generation}. */
    private static final class Read {
        private final long accountId;
        private final long generation;
        private final Sinks.One<Changes> result = Sinks.one();

        Read(long accountId, long generation) {
            this.accountId = accountId;
            this.generation = generation;
        }
    }
}
