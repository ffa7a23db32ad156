package dev.hato.imap.session;

import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.MailboxStatus;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessageContent;
import dev.hato.store.mail.MessageFacts;
import dev.hato.store.mail.MessageMeta;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A real {@link Mailboxes} (the PostgreSQL one) that counts the reads and claims it is asked for, and can hold their
 * answers back: the query runs and completes at once, only its result waits until {@link #release()}. So a test can
 * have a read in flight whose snapshot predates a commit that follows it.
 */
final class CountingMailboxes implements Mailboxes {

    private final Mailboxes delegate;
    final AtomicInteger changedReads = new AtomicInteger();
    final AtomicInteger expungedReads = new AtomicInteger();
    final AtomicInteger claims = new AtomicInteger();
    /** Reads and claims whose query has completed (whether or not their result is held). */
    final AtomicInteger queriesDone = new AtomicInteger();
    private volatile Sinks.@Nullable Empty<Void> gate;

    CountingMailboxes(Mailboxes delegate) {
        this.delegate = delegate;
    }

    /** From now on, results of changedSince and claimRecent wait until {@link #release()}. */
    void hold() {
        gate = Sinks.empty();
    }

    void release() {
        Sinks.Empty<Void> current = gate;
        gate = null;
        if (current != null) {
            current.tryEmitEmpty();
        }
    }

    private <T> Mono<T> held(Mono<T> query) {
        Sinks.Empty<Void> current = gate;
        Mono<T> once = query.doOnTerminate(queriesDone::incrementAndGet).cache();
        return current == null ? once : once.delayUntil(result -> current.asMono());
    }

    @Override
    public Flux<MessageMeta> changedSince(long accountId, long mailboxId, long modseq) {
        changedReads.incrementAndGet();
        Mono<java.util.List<MessageMeta>> query = delegate.changedSince(accountId, mailboxId, modseq).collectList();
        Mono<java.util.List<MessageMeta>> result = held(query);
        // Subscribed now, so that the query runs before the result is asked for.
        result.subscribe(ignored -> { }, ignored -> { });
        return result.flatMapMany(Flux::fromIterable);
    }

    @Override
    public Flux<Long> expungedSince(long accountId, long mailboxId, long modseq) {
        expungedReads.incrementAndGet();
        return delegate.expungedSince(accountId, mailboxId, modseq);
    }

    @Override
    public Mono<RecentClaim> claimRecent(long accountId, long mailboxId) {
        claims.incrementAndGet();
        Mono<RecentClaim> result = held(delegate.claimRecent(accountId, mailboxId));
        result.subscribe(ignored -> { }, ignored -> { });
        return result;
    }

    @Override
    public Flux<MailboxInfo> list(long accountId) {
        return delegate.list(accountId);
    }

    @Override
    public Mono<MailboxInfo> find(long accountId, String name) {
        return delegate.find(accountId, name);
    }

    @Override
    public Mono<MailboxInfo> create(long accountId, String name, @Nullable String specialUse) {
        return delegate.create(accountId, name, specialUse);
    }

    @Override
    public Mono<Void> delete(long accountId, String name) {
        return delegate.delete(accountId, name);
    }

    @Override
    public Mono<Void> rename(long accountId, String from, String to) {
        return delegate.rename(accountId, from, to);
    }

    @Override
    public Flux<String> subscriptions(long accountId) {
        return delegate.subscriptions(accountId);
    }

    @Override
    public Mono<Void> subscribe(long accountId, String name, boolean subscribed) {
        return delegate.subscribe(accountId, name, subscribed);
    }

    @Override
    public Mono<MailboxStatus> status(long accountId, long mailboxId) {
        return delegate.status(accountId, mailboxId);
    }

    @Override
    public Flux<MessageMeta> messages(long accountId, long mailboxId) {
        return delegate.messages(accountId, mailboxId);
    }

    @Override
    public Mono<MessageMeta> message(long accountId, long mailboxId, long uid) {
        return delegate.message(accountId, mailboxId, uid);
    }

    @Override
    public Flux<MessageMeta> newest(long accountId, long mailboxId, long beforeUid, int limit) {
        return delegate.newest(accountId, mailboxId, beforeUid, limit);
    }

    @Override
    public Mono<FlagUpdate> store(long accountId, long mailboxId, Collection<Long> uids, FlagMode mode,
                                  Set<String> flags, @Nullable Long unchangedSince) {
        return delegate.store(accountId, mailboxId, uids, mode, flags, unchangedSince);
    }

    @Override
    public Mono<CopyResult> copy(long accountId, long sourceMailboxId, Collection<Long> uids, long targetMailboxId,
                                 boolean move) {
        return delegate.copy(accountId, sourceMailboxId, uids, targetMailboxId, move);
    }

    @Override
    public Mono<AppendResult> append(long accountId, long mailboxId, MessageContent content, MessageFacts facts,
                                     Set<String> flags, Instant internalDate) {
        return delegate.append(accountId, mailboxId, content, facts, flags, internalDate);
    }

    @Override
    public Mono<List<AppendResult>> append(long accountId, long mailboxId, List<NewMessage> messages) {
        return delegate.append(accountId, mailboxId, messages);
    }

    @Override
    public Mono<Void> expunge(long accountId, long mailboxId, Collection<Long> uids) {
        return delegate.expunge(accountId, mailboxId, uids);
    }

    @Override
    public Mono<Boolean> lease(long accountId, long mailboxId, String owner, Duration duration) {
        return delegate.lease(accountId, mailboxId, owner, duration);
    }

    @Override
    public Mono<Void> release(long accountId, long mailboxId, String owner) {
        return delegate.release(accountId, mailboxId, owner);
    }

    @Override
    public Mono<Quota> quota(long accountId) {
        return delegate.quota(accountId);
    }

    @Override
    public Mono<Quota> quotaToEnforce(long accountId) {
        return delegate.quotaToEnforce(accountId);
    }

    @Override
    public Mono<Void> setQuota(long accountId, @Nullable Long limitOctets, @Nullable Long limitMessages) {
        return delegate.setQuota(accountId, limitOctets, limitMessages);
    }

    @Override
    public Flux<MailboxEvent> events() {
        return delegate.events();
    }
}
