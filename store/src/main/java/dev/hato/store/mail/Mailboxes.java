package dev.hato.store.mail;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * IMAP's view of one account's mailboxes and messages (RFC 3501 and the extensions Hato offers). Names use {@code /}
 * as hierarchy delimiter and are stored as Unicode; {@code INBOX} is always spelled so. Every method names the
 * account first (the distribution column). Refusals are {@link MailboxException}s. A message's content and facts are
 * read by its blob id from {@link Blobs}.
 *
 * <p>Flags are IMAP flag strings: system flags in their canonical spelling ({@code \Seen}, {@code \Answered},
 * {@code \Flagged}, {@code \Deleted}, {@code \Draft}; never {@code \Recent}, which is per session), keywords as given.
 * Every change (append, flag change, expunge) takes a new modseq of its mailbox and is announced on {@link #events()}
 * after commit, also to other gateway processes on the same database.
 */
public interface Mailboxes {

    Flux<MailboxInfo> list(long accountId);

    /** Empty when there is no such mailbox. */
    Mono<MailboxInfo> find(long accountId, String name);

    /**
     * Creates {@code name}; missing superior names are created too (RFC 3501 §6.3.3). A fresh UIDVALIDITY that no
     * earlier mailbox of the same name in this account had. ALREADY_EXISTS when present.
     */
    Mono<MailboxInfo> create(long accountId, String name, @Nullable String specialUse);

    /**
     * RFC 3501 §6.3.4: removes the mailbox and its messages; CANNOT for INBOX. Inferior names stay. (Whether a
     * mailbox with inferiors may be deleted is the session's decision under RFC 3501's \Noselect rule.)
     */
    Mono<Void> delete(long accountId, String name);

    /**
     * RFC 3501 §6.3.5: renames the mailbox and all its inferiors, keeping UIDVALIDITY. Renaming INBOX moves its
     * messages to a new mailbox {@code to} and leaves INBOX empty. Missing superiors of {@code to} are created.
     * Subscriptions stay under the old names (the RFC does not ask that they follow; Dovecot does not move them).
     * ALREADY_EXISTS when {@code to} or the new name of an inferior exists; CANNOT for a move into itself.
     */
    Mono<Void> rename(long accountId, String from, String to);

    /** Subscribed names (they need not exist, RFC 3501 §6.3.6). */
    Flux<String> subscriptions(long accountId);

    Mono<Void> subscribe(long accountId, String name, boolean subscribed);

    Mono<MailboxStatus> status(long accountId, long mailboxId);

    /** The status of every mailbox of the account, by mailbox ID (a folder tree's counts). */
    default Mono<java.util.Map<Long, MailboxStatus>> statuses(long accountId) {
        return list(accountId).flatMap(info -> status(accountId, info.id())
                        .map(status -> java.util.Map.entry(info.id(), status))
                        .onErrorResume(MailboxException.class, gone -> Mono.empty()), 4)
                .collectMap(java.util.Map.Entry::getKey, java.util.Map.Entry::getValue);
    }

    /** All messages of the mailbox in UID order. */
    Flux<MessageMeta> messages(long accountId, long mailboxId);

    /** The message of {@code uid} in the mailbox, or empty when there is none. */
    Mono<MessageMeta> message(long accountId, long mailboxId, long uid);

    /**
     * At most {@code limit} messages with a UID below {@code beforeUid}, newest (highest UID) first: one page of a
     * message list, read through the primary key whatever the mailbox's size.
     */
    Flux<MessageMeta> newest(long accountId, long mailboxId, long beforeUid, int limit);

    /** Messages whose modseq is above {@code modseq}, in UID order (RFC 7162 CHANGEDSINCE). */
    Flux<MessageMeta> changedSince(long accountId, long mailboxId, long modseq);

    /** UIDs expunged with a modseq above {@code modseq}, ascending (RFC 7162 VANISHED (EARLIER)). */
    Flux<Long> expungedSince(long accountId, long mailboxId, long modseq);

    /**
     * Marks messages at or above the mailbox's first-recent UID as claimed and says which of them this caller sees
     * as \Recent (RFC 3501 §2.3.2: only one session sees a message as recent), and up to which UID every message is
     * now claimed by someone.
     */
    Mono<RecentClaim> claimRecent(long accountId, long mailboxId);

    /**
     * What one {@link #claimRecent} got: messages with {@code from <= uid < until} are \Recent for this caller
     * (none when {@code from >= until}); every UID below {@code until} (the mailbox's UIDNEXT the claim read) is
     * claimed, by this caller or an earlier one, so no later claim gets it.
     */
    record RecentClaim(long from, long until) {
        public RecentClaim {
            if (from < 1 || until < 1) {
                throw new IllegalArgumentException("UIDs start at 1: from " + from + ", until " + until);
            }
        }

        /** True when this caller sees {@code uid} as \Recent. */
        public boolean covers(long uid) {
            return uid >= from && uid < until;
        }
    }

    enum FlagMode { REPLACE, ADD, REMOVE }

    /**
     * Changes flags of {@code uids} in one transaction. With {@code unchangedSince} (RFC 7162 §3.1.3), messages whose
     * modseq is above it are left alone and reported in {@link FlagUpdate#modified()}. Messages whose flags did not
     * actually change keep their modseq and are not in {@link FlagUpdate#changed()}. UIDs that do not exist are
     * ignored. CANNOT for a keyword that is not an atom or a {@code \} flag other than the five system flags
     * ({@code \Recent} is ignored); NONEXISTENT for a mailbox that does not exist.
     */
    Mono<FlagUpdate> store(long accountId, long mailboxId, Collection<Long> uids, FlagMode mode, Set<String> flags,
                           @Nullable Long unchangedSince);

    /** The messages after the change (new flags and modseq), and the UIDs refused by UNCHANGEDSINCE. */
    record FlagUpdate(List<MessageMeta> changed, List<Long> modified) {
        public FlagUpdate {
            changed = List.copyOf(changed);
            modified = List.copyOf(modified);
        }
    }

    /**
     * Copies (or, with {@code move}, moves: copy, then expunge from the source, in one transaction, RFC 6851) the
     * existing ones among {@code uids} to {@code target}, in UID order. Flags are kept; \Recent is not. OVER_QUOTA
     * when the copies would exceed the quota (a move does not add usage).
     */
    Mono<CopyResult> copy(long accountId, long sourceMailboxId, Collection<Long> uids, long targetMailboxId,
                          boolean move);

    /** RFC 4315 COPYUID data: source UIDs and the UIDs they got in the target, pairwise. */
    record CopyResult(long targetUidValidity, List<Long> sourceUids, List<Long> targetUids) {
        public CopyResult {
            sourceUids = List.copyOf(sourceUids);
            targetUids = List.copyOf(targetUids);
        }
    }

    /**
     * Stores a message in the mailbox (IMAP APPEND); completes after commit. OVER_QUOTA when it does not fit,
     * LIMIT when the mailbox has no UIDs left, NONEXISTENT when it does not exist; flags as for {@link #store}.
     * The facts are stored with the blob when the blob is new.
     */
    Mono<AppendResult> append(long accountId, long mailboxId, MessageContent content, MessageFacts facts,
                              Set<String> flags, Instant internalDate);

    /**
     * Stores several messages in the mailbox in one transaction (IMAP MULTIAPPEND, RFC 3502: "either all messages
     * are successfully appended, or no messages are appended"); completes after commit with one result per message,
     * in the order given, the UIDs consecutive and ascending in that order (RFC 4315 APPENDUID with a uid-set). The
     * refusals of {@link #append(long, long, MessageContent, MessageFacts, Set, Instant)}, the quota counted over all
     * of the messages; after a refusal none of them is stored.
     */
    Mono<List<AppendResult>> append(long accountId, long mailboxId, List<NewMessage> messages);

    /** RFC 4315 APPENDUID data. */
    record AppendResult(long uidValidity, long uid, long modseq) { }

    /** One message of a multiple {@link #append(long, long, List)}. */
    record NewMessage(MessageContent content, MessageFacts facts, Set<String> flags, Instant internalDate) {
        public NewMessage {
            java.util.Objects.requireNonNull(content, "content");
            java.util.Objects.requireNonNull(facts, "facts");
            java.util.Objects.requireNonNull(internalDate, "internalDate");
            flags = Set.copyOf(flags);
        }
    }

    /** Removes these UIDs, recording the expunges in the change log (RFC 3501 EXPUNGE, RFC 4315 UID EXPUNGE). */
    Mono<Void> expunge(long accountId, long mailboxId, Collection<Long> uids);

    /**
     * Takes or renews an exclusive lease on a mailbox for {@code owner} (e.g. a POP3 session), valid across gateway
     * nodes sharing the database. Emits false while another owner's lease has not expired.
     */
    Mono<Boolean> lease(long accountId, long mailboxId, String owner, Duration duration);

    /** Gives up {@code owner}'s lease on the mailbox; nothing happens when another owner holds it. */
    Mono<Void> release(long accountId, long mailboxId, String owner);

    /** RFC 9208 quota of the account (quota root {@code ""}). */
    Mono<Quota> quota(long accountId);

    /** Limits are null when unlimited. Storage in octets (IMAP shows KiB), messages as a count. */
    record Quota(long usedOctets, @Nullable Long limitOctets, long usedMessages, @Nullable Long limitMessages) { }

    /**
     * {@link #quota} for a check before storing: the usage is counted only when the account has a limit, and is 0
     * without one, so that an account without quotas costs one row lookup, not a count of all its messages.
     */
    Mono<Quota> quotaToEnforce(long accountId);

    /** Sets (null: removes) the account's limits. */
    Mono<Void> setQuota(long accountId, @Nullable Long limitOctets, @Nullable Long limitMessages);

    /**
     * Committed changes of any mailbox on this database, from this and other gateway processes (PostgreSQL
     * LISTEN/NOTIFY), hot: subscribers see events after they subscribed. Sessions filter by mailbox id and then
     * read what changed; an event may stand for several changes. The first event of every subscription is
     * {@link MailboxEvent#anything()}, sent once the feed is listening: from then on nothing committed is missed
     * without another {@link MailboxEvent#anything()} saying so.
     */
    Flux<MailboxEvent> events();

    /**
     * A committed change: {@code mailboxId} reached {@code modseq}. An event with {@code mailboxId}
     * {@value #ANY_MAILBOX} ({@link #anything()}) says that changes may have been missed (the feed's database
     * connection was re-established, or a slow subscriber's buffer overflowed): sessions then look at their mailbox
     * again as if it had changed. A deleted mailbox gets an event too (its id with a modseq it never reached).
     */
    record MailboxEvent(long mailboxId, long modseq) {
        /** The {@link #mailboxId()} of {@link #anything()}. */
        public static final long ANY_MAILBOX = -1;

        /** Any mailbox may have changed; re-read what matters. */
        public static MailboxEvent anything() {
            return new MailboxEvent(ANY_MAILBOX, 0);
        }

        public boolean isAnything() {
            return mailboxId == ANY_MAILBOX;
        }

        /** True when a session that has {@code mailboxId} selected must look at it again. */
        public boolean concerns(long selectedMailboxId) {
            return mailboxId == selectedMailboxId || isAnything();
        }
    }
}
