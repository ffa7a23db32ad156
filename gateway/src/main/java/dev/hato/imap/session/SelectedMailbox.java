package dev.hato.imap.session;

import dev.hato.imap.wire.SequenceSet;
import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.Mailboxes.RecentClaim;
import dev.hato.store.mail.MessageMeta;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The selected mailbox as this session's client knows it: UIDs in sequence order, each message's flags and modseq,
 * which messages are \Recent for this session. Changes read from the store are applied here and become untagged
 * responses when the session flushes them; an expunge stays in the client's view (its sequence number still counts)
 * until the session may announce it (RFC 3501 §7.4.1: not during FETCH, STORE or SEARCH). One thread at a time.
 */
final class SelectedMailbox {

    /** RFC 3501 §2.3.2 system flags, in the order FLAGS lists them. */
    static final List<String> SYSTEM_FLAGS = List.of("\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft");

    private final MailboxInfo info;
    private final boolean readOnly;
    /** The client's view: UIDs in sequence order (ascending), including expunged ones not yet announced. */
    private final ArrayList<Long> uids = new ArrayList<>();
    private final Map<Long, MessageMeta> messages = new HashMap<>();
    /** Gone from the store, still numbered for the client. */
    private final TreeSet<Long> expunged = new TreeSet<>();
    /** Messages whose flags another session changed, to announce as FETCH FLAGS. */
    private final Set<Long> flagChanges = new LinkedHashSet<>();
    private final Set<Long> recent = new HashSet<>();
    /**
     * This session's recent claims whose range reaches beyond the messages it has seen: a claim can take UIDs
     * committed after the read that led to it, and those are this session's \Recent when it sees them later
     * (RFC 3501 §2.3.2: no other session will). Oldest first, at most {@value #MAX_PENDING_CLAIMS}.
     */
    private final ArrayDeque<RecentClaim> claims = new ArrayDeque<>();
    private final Set<String> keywords = new TreeSetIgnoringCase();
    /** How many of {@link #keywords} the client was last told of in a FLAGS response (the set only grows). */
    private int announcedKeywords;
    /** The message count the client was last told (EXISTS). */
    private int announced;
    /** The highest modseq this session knows of, its own changes included (HIGHESTMODSEQ). */
    private long highestModseq;
    /**
     * Every change up to this modseq has been read and applied: the next read starts here. This session's own
     * changes do not move it, since another session's change with a lower modseq may not have been read yet.
     */
    private long changesRead;
    /**
     * The session enabled IMAP4rev2: \Recent is not shown (RFC 9051 §2.3.2 deprecates it; no RECENT response, no
     * \Recent in FLAGS, SEARCH RECENT and NEW find nothing) and every unsolicited FETCH carries UID (Appendix E item
     * 21). The \Recent claims are still made, so rev1 sessions see what a rev2 session was the first to be told of as
     * no longer \Recent (RFC 3501 §2.3.2).
     */
    private boolean imap4rev2;

    /** Bound on {@link #claims}; an older claim still pending is forgotten (its messages then show no \Recent). */
    static final int MAX_PENDING_CLAIMS = 8;

    /**
     * {@code claim} is this session's recent claim made after reading {@code initial}: the messages it covers are
     * \Recent for this session. A read-only session claims nothing (RFC 3501 §6.3.2: EXAMINE must not take \Recent
     * away); its {@code claim} is {@link #unclaimed} of what it read, the messages no session has claimed yet, which
     * RFC 3501 §2.3.2 lets it show as \Recent as well.
     */
    SelectedMailbox(MailboxInfo info, boolean readOnly, List<MessageMeta> initial, @Nullable RecentClaim claim) {
        this.info = info;
        this.readOnly = readOnly;
        this.highestModseq = info.highestModseq();
        for (MessageMeta message : initial) {
            uids.add(message.uid());
            messages.put(message.uid(), message);
            keywords(message);
            if (claim != null && claim.covers(message.uid())) {
                recent.add(message.uid());
            }
            highestModseq = Math.max(highestModseq, message.modseq());
        }
        Collections.sort(uids);
        announced = uids.size();
        announcedKeywords = keywords.size();
        changesRead = highestModseq;
        remember(claim);
        forgetSpentClaims();
    }

    MailboxInfo info() {
        return info;
    }

    long id() {
        return info.id();
    }

    boolean readOnly() {
        return readOnly;
    }

    /** From now on the responses of IMAP4rev2 (see {@link #imap4rev2}). */
    void imap4rev2() {
        imap4rev2 = true;
    }

    long highestModseq() {
        return highestModseq;
    }

    /** Where the next read of changes starts: every change up to it is applied. */
    long changesRead() {
        return changesRead;
    }

    int exists() {
        return uids.size();
    }

    int recentCount() {
        return recent.size();
    }

    /** Keywords in use in this mailbox, for the FLAGS response. */
    Set<String> keywords() {
        return keywords;
    }

    /**
     * RFC 3501 §7.2.1 FLAGS and §7.1 PERMANENTFLAGS as SELECT sends them: the system flags and every keyword in use;
     * a read-only mailbox permits none (RFC 3501 §6.3.2), a writable one also new keywords ({@code \*}).
     */
    List<String> flagsResponses() {
        List<String> flags = new ArrayList<>(SYSTEM_FLAGS);
        flags.addAll(keywords);
        List<String> permanent = new ArrayList<>(flags);
        permanent.add("\\*");
        announcedKeywords = keywords.size();
        return List.of("* FLAGS " + ResponseText.flags(flags), "* OK [PERMANENTFLAGS "
                + (readOnly ? "()" : ResponseText.flags(permanent)) + "] Flags permitted");
    }

    /**
     * FLAGS and PERMANENTFLAGS again when a keyword came into use that the last FLAGS response did not list, sent
     * before any FETCH that shows the keyword so the client's recorded FLAGS (RFC 3501 §7.2.6) stays complete; the RFC
     * allows but does not demand the re-send, Dovecot does it too. Empty when nothing is new.
     */
    List<String> newFlagsResponses() {
        return keywords.size() == announcedKeywords ? List.of() : flagsResponses();
    }

    /** The message with this UID as the client knows it; null when it is not in view or already expunged. */
    @Nullable MessageMeta message(long uid) {
        return expunged.contains(uid) ? null : messages.get(uid);
    }

    boolean isRecent(long uid) {
        return !imap4rev2 && recent.contains(uid);
    }

    boolean isExpunged(long uid) {
        return expunged.contains(uid);
    }

    /** The sequence number of a UID in view, or 0. */
    long sequence(long uid) {
        int index = Collections.binarySearch(uids, uid);
        return index < 0 ? 0 : index + 1;
    }

    /** The first message without \Seen (RFC 3501 §7.1 UNSEEN), or 0. */
    long firstUnseen() {
        for (int i = 0; i < uids.size(); i++) {
            MessageMeta message = messages.get(uids.get(i));
            if (message != null && !message.flags().contains("\\Seen")) {
                return i + 1;
            }
        }
        return 0;
    }

    List<Long> uidsInView() {
        return List.copyOf(uids);
    }

    /** Every message the client numbers, in sequence order, expunged ones not yet announced included. */
    List<MessageMeta> messagesInView() {
        List<MessageMeta> view = new ArrayList<>(uids.size());
        for (Long uid : uids) {
            view.add(messages.get(uid));
        }
        return view;
    }

    Set<Long> recentUids() {
        return imap4rev2 ? Set.of() : Set.copyOf(recent);
    }

    /**
     * The UIDs a sequence set names, ascending, without duplicates. Sequence numbers beyond the mailbox are an error
     * (RFC 3501 §9 seq-number); UIDs that do not exist are ignored (RFC 3501 §6.4.8). {@code saved} is the RFC 5182
     * search result for {@code $}.
     */
    List<Long> resolve(SequenceSet set, boolean byUid, List<Long> saved) {
        if (set.saved()) {
            List<Long> out = new ArrayList<>();
            for (Long uid : new TreeSet<>(saved)) {
                if (sequence(uid) > 0) {
                    out.add(uid);
                }
            }
            return out;
        }
        TreeSet<Long> out = new TreeSet<>();
        long last = byUid ? (uids.isEmpty() ? 0 : uids.get(uids.size() - 1)) : uids.size();
        for (SequenceSet.Range range : set.ranges()) {
            long from = range.from() == SequenceSet.STAR ? last : range.from();
            long to = range.to() == SequenceSet.STAR ? last : range.to();
            long low = Math.min(from, to);
            long high = Math.max(from, to);
            if (byUid) {
                int start = Collections.binarySearch(uids, low);
                for (int i = start < 0 ? -start - 1 : start; i < uids.size() && uids.get(i) <= high; i++) {
                    out.add(uids.get(i));
                }
            } else {
                if (low < 1 || high > uids.size()) {
                    throw new IllegalArgumentException("Invalid message sequence number");
                }
                for (long n = low; n <= high; n++) {
                    out.add(uids.get((int) (n - 1)));
                }
            }
        }
        return new ArrayList<>(out);
    }

    /** This session changed a message (STORE, a fetch that set \Seen): no announcement needed. */
    void updated(MessageMeta message) {
        if (messages.containsKey(message.uid()) && !expunged.contains(message.uid())) {
            messages.put(message.uid(), message);
            keywords(message);
            flagChanges.remove(message.uid());
        }
    }

    /**
     * Records {@code flags} as what the client now takes a message's flags to be (its own .SILENT STORE, which the
     * store found already made or overtaken), so that the next read announces the message unless its flags are
     * exactly that. A change read but not yet announced stays as it is: its announcement tells the truth anyway.
     */
    void presume(long uid, Set<String> flags) {
        MessageMeta known = messages.get(uid);
        if (known == null || expunged.contains(uid) || flagChanges.contains(uid)) {
            return;
        }
        messages.put(uid, new MessageMeta(known.accountId(), known.mailboxId(), uid, known.modseq(), known.blobId(),
                known.size(), known.internalDate(), Set.copyOf(flags), known.originMailboxId(), known.originUid(),
                known.saveDate()));
    }

    /**
     * Applies what the store reports since {@link #changesRead()}: new and changed messages, expunged UIDs.
     * {@code claim} is the recent claim this session made for them (null when it made none); new messages that it
     * or an earlier claim of this session covers are \Recent for this session. For a read-only session it is
     * {@link #unclaimed} as read after the changes, and nothing is remembered. Idempotent: a change seen twice
     * (or made by this session) announces nothing twice.
     */
    void apply(List<MessageMeta> changed, Collection<Long> gone, @Nullable RecentClaim claim) {
        remember(claim);
        long lastUid = uids.isEmpty() ? 0 : uids.get(uids.size() - 1);
        for (MessageMeta message : changed) {
            highestModseq = Math.max(highestModseq, message.modseq());
            changesRead = Math.max(changesRead, message.modseq());
            MessageMeta known = messages.get(message.uid());
            if (known != null) {
                if (!expunged.contains(message.uid())
                        && (!known.flags().equals(message.flags()) || known.modseq() != message.modseq())) {
                    boolean flagsDiffer = !known.flags().equals(message.flags());
                    messages.put(message.uid(), message);
                    keywords(message);
                    if (flagsDiffer) {
                        flagChanges.add(message.uid());
                    }
                }
            } else if (message.uid() > lastUid) {
                uids.add(message.uid());
                lastUid = message.uid();
                messages.put(message.uid(), message);
                keywords(message);
                if (readOnly ? claim != null && claim.covers(message.uid()) : claimed(message.uid())) {
                    recent.add(message.uid());
                }
            }
        }
        for (Long uid : gone) {
            int index = Collections.binarySearch(uids, uid);
            if (index >= announced) {
                // Read as new and as expunged at once (the expunge committed between the two reads): the client
                // never had a number for it, so it leaves without an EXPUNGE (RFC 3501 §7.4.1 names existing ones).
                uids.remove(index);
                messages.remove(uid);
                recent.remove(uid);
            } else if (index >= 0) {
                expunged.add(uid);
                flagChanges.remove(uid);
            }
        }
        forgetSpentClaims();
    }

    /** The messages no session has claimed yet, {@code firstRecentUid} and above, as a read-only session sees them. */
    static RecentClaim unclaimed(long firstRecentUid) {
        return new RecentClaim(Math.max(1, firstRecentUid), Long.MAX_VALUE);
    }

    /** Claims all of whose UIDs are in view (or were passed over, expunged unseen) can cover nothing more. */
    private void forgetSpentClaims() {
        long seen = uids.isEmpty() ? 0 : uids.get(uids.size() - 1);
        claims.removeIf(pending -> pending.until() <= seen + 1);
    }

    private void remember(@Nullable RecentClaim claim) {
        if (claim == null || readOnly || claim.from() >= claim.until()) {
            return;
        }
        if (claims.size() == MAX_PENDING_CLAIMS) {
            claims.removeFirst();
        }
        claims.addLast(claim);
    }

    private boolean claimed(long uid) {
        for (RecentClaim claim : claims) {
            if (claim.covers(uid)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Records the modseq of this session's own change, for HIGHESTMODSEQ. The next read still starts at
     * {@link #changesRead()}: a STORE at modseq 11 says nothing of an EXPUNGE at 10 this session has not read yet.
     */
    void sawModseq(long modseq) {
        highestModseq = Math.max(highestModseq, modseq);
    }

    /** What a flush would announce, without the expunges. */
    boolean hasNews(boolean expungesAllowed) {
        return uids.size() != announced || !flagChanges.isEmpty() || (expungesAllowed && !expunged.isEmpty());
    }

    /**
     * The untagged responses for what changed: FLAGS when a keyword is new, expunges when allowed (EXPUNGE, or one VANISHED with QRESYNC),
     * then EXISTS/RECENT for new messages (no RECENT under IMAP4rev2), then FETCH FLAGS for flag changes (with UID
     * under QRESYNC and IMAP4rev2, RFC 7162 §3.2.4 and RFC 9051 Appendix E item 21, and MODSEQ under CONDSTORE, RFC 7162
     * §3.1.4).
     */
    List<String> flush(boolean expungesAllowed, boolean condStore, boolean qresync) {
        List<String> lines = new ArrayList<>(newFlagsResponses());
        if (expungesAllowed && !expunged.isEmpty()) {
            if (qresync) {
                lines.add("* VANISHED " + ResponseText.set(new ArrayList<>(expunged)));
            } else {
                // Highest sequence number first, so that every number sent is valid when the client reads it.
                for (Long uid : expunged.descendingSet()) {
                    lines.add("* " + sequence(uid) + " EXPUNGE");
                }
            }
            announced -= expunged.size();
            for (Long uid : expunged) {
                uids.remove(uid);
                messages.remove(uid);
                recent.remove(uid);
            }
            expunged.clear();
        }
        if (uids.size() > announced) {
            lines.add("* " + uids.size() + " EXISTS");
            if (!imap4rev2) {
                lines.add("* " + recent.size() + " RECENT");
            }
            announced = uids.size();
        }
        for (Long uid : flagChanges) {
            MessageMeta message = messages.get(uid);
            if (message != null) {
                lines.add(fetchFlags(message, qresync || imap4rev2, condStore));
            }
        }
        flagChanges.clear();
        return lines;
    }

    /** {@code * n FETCH (FLAGS (...) [UID u] [MODSEQ (m)])}. */
    String fetchFlags(MessageMeta message, boolean uid, boolean modseq) {
        StringBuilder line = new StringBuilder("* ").append(sequence(message.uid())).append(" FETCH (FLAGS ")
                .append(ResponseText.flags(flags(message)));
        if (uid) {
            line.append(" UID ").append(message.uid());
        }
        if (modseq) {
            line.append(" MODSEQ (").append(message.modseq()).append(')');
        }
        return line.append(')').toString();
    }

    /**
     * The message's flags as FLAGS shows them: stored flags plus \Recent for this session, sorted as the FETCH
     * renderer sorts them, so that a message's flags read the same in every response.
     */
    List<String> flags(MessageMeta message) {
        java.util.TreeSet<String> flags = new java.util.TreeSet<>(message.flags());
        if (isRecent(message.uid())) {
            flags.add("\\Recent");
        }
        return new ArrayList<>(flags);
    }

    private void keywords(MessageMeta message) {
        for (String flag : message.flags()) {
            if (!flag.startsWith("\\")) {
                keywords.add(flag);
            }
        }
    }

    /** Keywords are case-insensitive (RFC 3501 §2.3.2): one entry per keyword whatever its spelling. */
    private static final class TreeSetIgnoringCase extends java.util.TreeSet<String> {
        TreeSetIgnoringCase() {
            super(String.CASE_INSENSITIVE_ORDER);
        }
    }
}
