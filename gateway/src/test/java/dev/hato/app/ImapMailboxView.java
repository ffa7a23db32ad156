package dev.hato.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * What a client knows of its selected mailbox when it believes nothing but the server's untagged responses (RFC 3501
 * §7, RFC 7162 §3.1): sequence number to UID, each message's flags and \Recent, the keywords the last {@code * FLAGS}
 * announced, the mod-sequences it was told. Every untagged response is checked against that knowledge before it is
 * applied; a response no correct server could send in that state fails with an {@link AssertionError}.
 * One per session, used by one thread.
 */
final class ImapMailboxView {

    private static final Set<String> SYSTEM_FLAGS = Set.of("\\Answered", "\\Flagged", "\\Deleted", "\\Seen",
            "\\Draft", "\\Recent");

    /** A message as the client numbers it; what no response has told yet is unknown (0 or null). */
    static final class Entry {
        /** 0 until a FETCH tells it. */
        long uid;
        /** Every UID the session knew when this message's EXISTS arrived is below the message's UID. */
        final long uidFloor;
        /** Without \Recent; null until a FETCH FLAGS tells them. */
        @Nullable Set<String> flags;
        @Nullable Boolean recent;
        /** 0 until a FETCH MODSEQ tells it. */
        long modseq;
        /** The last command during which a FETCH showed this message's FLAGS. */
        int toldIn;
        /** The last FETCH command that answered for this message (a FETCH response with its UID). */
        int answeredIn;

        Entry(long uidFloor) {
            this.uidFloor = uidFloor;
        }

        @Override
        public String toString() {
            return "uid " + (uid == 0 ? "?" : uid) + " flags " + flags + (Boolean.TRUE.equals(recent) ? " \\Recent"
                    : "") + (modseq == 0 ? "" : " modseq " + modseq);
        }
    }

    /**
     * What the sessions of one run know together: the flags a message has at a mod-sequence (RFC 7162 §3.1: every
     * change of a message's flags gives it a new mod-sequence, so one UID and mod-sequence name one set of flags, in
     * every session), and the one session each message is \Recent in (RFC 3501 §2.3.2).
     */
    static final class Shared {
        private final Map<String, Set<String>> versions = new ConcurrentHashMap<>();
        private final Map<Long, Integer> recentIn = new ConcurrentHashMap<>();

        @Nullable Integer recentIn(long uid) {
            return recentIn.get(uid);
        }
    }

    private final Shared shared;
    /** This session's number, or -1 for one that must not take \Recent (EXAMINE). */
    private final int session;
    private final boolean condStore;
    private final List<Entry> entries = new ArrayList<>();
    private final Set<String> announcedKeywords = flagSet();
    private boolean flagsAnnounced;
    /** The RECENT count the client can work out, or -1 when an EXPUNGE of a message of unknown \Recent blurred it. */
    private int recentCount = -1;
    private long uidValidity;
    /** The highest UID this session was ever told. */
    private long highestUid;
    private long highestModseqSeen;
    private long highestModseqAnnounced;
    /** The command whose responses are being read, counted by the driver. */
    private int command;

    ImapMailboxView(Shared shared, int session, boolean condStore) {
        this.shared = shared;
        this.session = session;
        this.condStore = condStore;
    }

    static Set<String> flagSet() {
        return new TreeSet<>(String.CASE_INSENSITIVE_ORDER); // RFC 3501 §2.3.2: flags are case-insensitive
    }

    List<Entry> entries() {
        return entries;
    }

    boolean condStore() {
        return condStore;
    }

    long uidValidity() {
        return uidValidity;
    }

    long highestUid() {
        return highestUid;
    }

    int command() {
        return command;
    }

    void startCommand() {
        command++;
    }

    /** Whether every message's UID, flags and \Recent are known. */
    boolean complete() {
        for (Entry entry : entries) {
            if (entry.uid == 0 || entry.flags == null || entry.recent == null) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks one untagged response against the view and applies it. {@code fetchSets} is null unless a FETCH command
     * is running (its answers are the FETCH responses with UID; announcements of other sessions' changes have none),
     * and then the flags that FETCH sets: when none, its answers must show the flags the session was told.
     */
    void untagged(String line, @Nullable Set<String> fetchSets) {
        String rest = line.substring(2);
        if (rest.startsWith("FLAGS (")) {
            announcedKeywords.clear();
            for (String flag : list(rest.substring("FLAGS ".length()))) {
                if (!flag.startsWith("\\")) {
                    announcedKeywords.add(flag);
                }
            }
            flagsAnnounced = true;
        } else if (rest.startsWith("OK [HIGHESTMODSEQ ")) {
            long announced = Long.parseLong(rest.substring(18, rest.indexOf(']')));
            check(announced >= highestModseqAnnounced, "HIGHESTMODSEQ went down from " + highestModseqAnnounced);
            // RFC 7162 §3.1.2.1: the highest mod-sequence of all messages in the mailbox; expunges only raise it.
            check(announced >= highestModseqSeen, "HIGHESTMODSEQ below a MODSEQ already shown, "
                    + highestModseqSeen);
            highestModseqAnnounced = announced;
        } else if (rest.startsWith("OK [UIDVALIDITY ")) {
            uidValidity = Long.parseLong(rest.substring(16, rest.indexOf(']')));
        } else if (rest.startsWith("OK ") || rest.startsWith("ENABLED") || rest.startsWith("CAPABILITY ")) {
            return; // PERMANENTFLAGS, UIDNEXT, UNSEEN and texts say nothing the checks use
        } else {
            int space = rest.indexOf(' ');
            check(space > 0 && Character.isDigit(rest.charAt(0)), "unexpected untagged response");
            long number = Long.parseLong(rest.substring(0, space));
            String kind = rest.substring(space + 1);
            if (kind.equals("EXISTS")) {
                exists(number);
            } else if (kind.equals("RECENT")) {
                // RFC 3501 §7.3.2: the number of messages with \Recent, so never more than exist.
                check(number <= entries.size(), "RECENT beyond EXISTS " + entries.size());
                recentCount = (int) number;
            } else if (kind.equals("EXPUNGE")) {
                expunge(number);
            } else if (kind.startsWith("FETCH (")) {
                fetch(number, kind.substring(6), fetchSets);
            } else {
                throw new AssertionError("unexpected untagged response");
            }
        }
    }

    /** RFC 3501 §7.3.1: EXISTS reports the new size; only EXPUNGE makes a mailbox smaller (§7.4.1). */
    private void exists(long number) {
        check(number >= entries.size(), "EXISTS went down from " + entries.size() + " without EXPUNGE");
        while (entries.size() < number) {
            entries.add(new Entry(highestUid));
        }
    }

    /** RFC 3501 §7.4.1: the number of an existing message; every later number moves down by one. */
    private void expunge(long number) {
        check(number >= 1 && number <= entries.size(), "EXPUNGE of a number that does not exist (" + entries.size()
                + " exist)");
        Entry gone = entries.remove((int) number - 1);
        if (gone.recent == null) {
            recentCount = -1;
        } else if (gone.recent && recentCount > 0) {
            recentCount--;
        }
    }

    private void fetch(long number, String items, @Nullable Set<String> fetchSets) {
        check(number >= 1 && number <= entries.size(), "FETCH of a number that does not exist (" + entries.size()
                + " exist)");
        Entry entry = entries.get((int) number - 1);
        FetchItems fetched = FetchItems.parse(items);
        boolean solicited = fetchSets != null && fetched.uid != null;
        if (fetched.uid != null) {
            uid(entry, (int) number - 1, fetched.uid);
        }
        if (solicited) {
            entry.answeredIn = command;
        }
        if (fetched.modseq != null) {
            check(condStore, "MODSEQ in a session that did not enable CONDSTORE");
            check(fetched.modseq >= entry.modseq, "MODSEQ of the message went down from " + entry.modseq);
            highestModseqSeen = Math.max(highestModseqSeen, fetched.modseq);
        }
        if (fetched.flags != null) {
            // RFC 7162 §3.1: once CONDSTORE is enabled, FETCH responses carry MODSEQ (Hato sends it with every
            // FETCH; RFC 7162 §3.1.3 requires it in every unsolicited one).
            check(!condStore || fetched.modseq != null, "FETCH FLAGS without MODSEQ under CONDSTORE");
            Set<String> flags = flagSet();
            boolean recent = false;
            for (String flag : fetched.flags) {
                if (flag.equalsIgnoreCase("\\Recent")) {
                    recent = true;
                } else if (flag.startsWith("\\")) {
                    check(SYSTEM_FLAGS.contains(flag), "unknown system flag " + flag);
                    flags.add(flag);
                } else {
                    // RFC 3501 §7.2.6: FLAGS lists the flags in use; a client keeps the last one and a keyword it
                    // did not list is one the client cannot know of.
                    check(flagsAnnounced && announcedKeywords.contains(flag), "keyword " + flag
                            + " shown before a FLAGS response announced it (last FLAGS: " + announcedKeywords + ")");
                    flags.add(flag);
                }
            }
            if (solicited && fetchSets.isEmpty() && entry.flags != null && entry.toldIn != command) {
                // Hato answers FETCH from the session's snapshot, whose changes it announces at the end of every
                // command (RFC 3501 §5.2, §7.4.1): flags the session was never told are a change it missed. (A FETCH
                // that sets \Seen shows the flags after that change, with whatever else changed: not checked here.)
                check(entry.flags.equals(flags), "FETCH shows flags " + flags + " but the session was told "
                        + entry.flags);
            }
            // RFC 3501 §2.3.2: \Recent belongs to the session for as long as it has the mailbox selected.
            check(entry.recent == null || entry.recent == recent, "\\Recent changed from " + entry.recent);
            if (entry.recent == null && recent && session >= 0 && entry.uid != 0) {
                Integer owner = shared.recentIn.putIfAbsent(entry.uid, session);
                check(owner == null || owner == session, "\\Recent also in session " + owner);
            }
            if (condStore && entry.flags != null && fetched.modseq != null && fetched.modseq == entry.modseq) {
                check(entry.flags.equals(flags), "flags changed from " + entry.flags + " at the same MODSEQ");
            }
            if (fetched.modseq != null && entry.uid != 0) {
                Set<String> before = shared.versions.putIfAbsent(entry.uid + "@" + fetched.modseq, flags);
                check(before == null || before.equals(flags), "another session was shown flags " + before
                        + " for this UID and MODSEQ");
            }
            entry.flags = flags;
            entry.recent = recent;
            entry.toldIn = command;
        }
        if (fetched.modseq != null) {
            entry.modseq = fetched.modseq;
        }
    }

    /** RFC 3501 §2.3.1.1: UIDs ascend with the sequence numbers, never change, and a new message's is higher. */
    private void uid(Entry entry, int index, long uid) {
        if (entry.uid != 0) {
            check(entry.uid == uid, "UID changed from " + entry.uid);
            return;
        }
        check(uid > entry.uidFloor, "a new message's UID is not above " + entry.uidFloor
                + ", a UID the session already knew");
        for (int i = index - 1; i >= 0; i--) {
            if (entries.get(i).uid != 0) {
                check(entries.get(i).uid < uid, "UID not above message " + (i + 1) + "'s " + entries.get(i).uid);
                break;
            }
        }
        for (int i = index + 1; i < entries.size(); i++) {
            if (entries.get(i).uid != 0) {
                check(entries.get(i).uid > uid, "UID not below message " + (i + 1) + "'s " + entries.get(i).uid);
                break;
            }
        }
        entry.uid = uid;
        highestUid = Math.max(highestUid, uid);
        if (Boolean.TRUE.equals(entry.recent) && session >= 0) {
            Integer owner = shared.recentIn.putIfAbsent(uid, session);
            check(owner == null || owner == session, "\\Recent also in session " + owner);
        }
    }

    /**
     * RFC 3501 §7.3.2 at a moment when every message's \Recent is known: as many have it as the last RECENT said,
     * less those expunged since.
     */
    void checkRecentCount() {
        if (recentCount < 0 || !complete()) {
            return;
        }
        int recent = 0;
        for (Entry entry : entries) {
            if (entry.recent) {
                recent++;
            }
        }
        check(recent == recentCount, recent + " messages shown \\Recent but RECENT said " + recentCount);
    }

    /** The flags a message has after a STORE of {@code mode} ('+', '-' or ' ') with {@code flags}. */
    static Set<String> after(Set<String> before, char mode, List<String> flags) {
        Set<String> out = flagSet();
        if (mode != ' ') {
            out.addAll(before);
        }
        if (mode == '-') {
            flags.forEach(out::remove);
        } else {
            out.addAll(flags);
        }
        return out;
    }

    private static void check(boolean condition, String violation) {
        if (!condition) {
            throw new AssertionError(violation);
        }
    }

    /** The atoms of a parenthesized list such as {@code (\Seen kw1)}. */
    static List<String> list(String text) {
        check(text.startsWith("(") && text.indexOf(')') > 0, "not a list: " + text);
        String inner = text.substring(1, text.indexOf(')')).trim();
        return inner.isEmpty() ? List.of() : List.of(inner.split(" "));
    }

    /** The FETCH data items the checks read: UID, FLAGS, MODSEQ; others (a body section) are passed over. */
    record FetchItems(@Nullable Long uid, @Nullable List<String> flags, @Nullable Long modseq) {

        /** {@code text} is the parenthesized item list, any literal already replaced by {@code ""}. */
        static FetchItems parse(String text) {
            check(text.startsWith("(") && text.endsWith(")"), "FETCH items not in parentheses");
            Long uid = null;
            List<String> flags = null;
            Long modseq = null;
            int at = 1;
            int end = text.length() - 1;
            while (at < end) {
                int nameEnd = at;
                while (nameEnd < end && text.charAt(nameEnd) != ' ') {
                    if (text.charAt(nameEnd) == '[') {
                        nameEnd = text.indexOf(']', nameEnd);
                    }
                    nameEnd++;
                }
                String name = text.substring(at, nameEnd).toUpperCase(java.util.Locale.ROOT);
                int valueStart = nameEnd + 1;
                int valueEnd = valueStart;
                if (text.charAt(valueStart) == '(') {
                    valueEnd = text.indexOf(')', valueStart) + 1;
                } else if (text.charAt(valueStart) == '"') {
                    valueEnd = text.indexOf('"', valueStart + 1) + 1;
                } else {
                    while (valueEnd < end && text.charAt(valueEnd) != ' ') {
                        valueEnd++;
                    }
                }
                String value = text.substring(valueStart, valueEnd);
                switch (name) {
                    case "UID" -> uid = Long.parseLong(value);
                    case "FLAGS" -> flags = list(value);
                    case "MODSEQ" -> modseq = Long.parseLong(list(value).get(0));
                    default -> { }
                }
                at = valueEnd + 1;
            }
            return new FetchItems(uid, flags, modseq);
        }
    }
}
