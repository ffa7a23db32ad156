package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.app.ImapMailboxView.Entry;
import dev.hato.store.mail.MessageMeta;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Several IMAP sessions on one mailbox at once, each running a seeded random mix of STORE, UID STORE, EXPUNGE,
 * UID EXPUNGE, APPEND, FETCH and NOOP (no IDLE: the sessions poll), every untagged response checked against the
 * session's own {@link ImapMailboxView} as it arrives, the tagged answers against RFC 3501 and RFC 2180 §4, and in the
 * end every session's view against a fresh session's and the store's. Only answers are asserted, never durations.
 * A failure names the seed; {@code -Dhato.stress.seed=<seed>} runs the same command mix again (the interleaving of
 * the sessions is the machine's), {@code -Dhato.stress.rounds=<n>} runs n seeds in a row.
 */
class ImapSharedMailboxStressTest {

    private static final RunningHato HATO = RunningHato.shared();
    private static final int SESSIONS = 4;
    private static final int COMMANDS = 300;
    /** Sessions start no new command after this; it bounds the run on a slow machine, it is not asserted. */
    private static final Duration TIME_BOUND = Duration.ofSeconds(20);
    private static final int INITIAL_MESSAGES = 8;
    private static final List<String> FLAGS = List.of("\\Seen", "\\Flagged", "\\Answered", "\\Draft", "\\Deleted",
            "kw0", "kw1", "kw2", "kw3", "$Label1", "$Label2");
    /** A FETCH that sets \Seen (RFC 3501 §6.4.5) and returns only an empty header, one CRLF. */
    private static final String NON_PEEK = "BODY[HEADER.FIELDS (X-NONE)]";

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void concurrentSessionsShouldOnlyBeToldWhatIsConsistentWithTheMailbox() throws Exception {
        long seed = Long.getLong("hato.stress.seed", new SecureRandom().nextLong());
        int rounds = Integer.getInteger("hato.stress.rounds", 1);
        for (int round = 0; round < rounds; round++) {
            try {
                run(seed + round);
            } catch (Throwable failure) {
                throw new AssertionError("seed " + (seed + round) + " (-Dhato.stress.seed=" + (seed + round)
                        + " replays its command mix): " + failure.getMessage(), failure);
            }
        }
    }

    private static void run(long seed) throws Exception {
        System.out.println("ImapSharedMailboxStressTest seed " + seed);
        RunningHato.User user = HATO.newUser("stress");
        Random setup = new Random(seed);
        try (SocketTransport imap = ImapLines.login(HATO, user)) {
            for (int i = 0; i < INITIAL_MESSAGES; i++) {
                String flags = String.join(" ", randomFlags(setup));
                String message = "Subject: m" + i + "\r\n\r\nbody\r\n";
                imap.send(("a" + i + " APPEND INBOX (" + flags + ") {" + message.length() + "+}\r\n" + message
                        + "\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(ImapLines.untilTagged(imap, "a" + i)).last().asString().startsWith("a" + i + " OK");
            }
        }
        ImapMailboxView.Shared shared = new ImapMailboxView.Shared();
        List<Session> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < SESSIONS; i++) {
                sessions.add(new Session(i, seed, user, shared));
            }
            long deadline = System.nanoTime() + TIME_BOUND.toNanos();
            AtomicBoolean failed = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(SESSIONS);
            List<Future<?>> running = new ArrayList<>();
            for (Session session : sessions) {
                running.add(pool.submit(() -> {
                    try {
                        session.run(deadline, failed);
                    } catch (Throwable e) {
                        failed.set(true);
                        throw e;
                    }
                    return null;
                }));
            }
            pool.shutdown();
            List<Throwable> failures = new ArrayList<>();
            for (Future<?> each : running) {
                try {
                    each.get(3, TimeUnit.MINUTES);
                } catch (java.util.concurrent.ExecutionException e) {
                    failures.add(e.getCause());
                }
            }
            if (!failures.isEmpty()) {
                AssertionError error = new AssertionError(failures.get(0).getMessage(), failures.get(0));
                failures.stream().skip(1).forEach(error::addSuppressed);
                throw error;
            }
            settle(seed, user, sessions, shared);
            System.out.println("ImapSharedMailboxStressTest seed " + seed + ": commands per session "
                    + sessions.stream().map(session -> session.tags).toList() + ", MODIFIED answers "
                    + sessions.stream().mapToInt(session -> session.modifiedAnswers).sum() + ", "
                    + (System.nanoTime() - deadline + TIME_BOUND.toNanos()) / 1_000_000 + " ms");
        } finally {
            sessions.forEach(Session::close);
        }
    }

    /**
     * After the last command of every session: a NOOP in each tells it all that happened (RFC 3501 §6.1.2), and then
     * every view must be the mailbox as a fresh session and the store see it.
     */
    private static void settle(long seed, RunningHato.User user, List<Session> sessions,
            ImapMailboxView.Shared shared) throws Exception {
        for (Session session : sessions) {
            session.command("NOOP");
            session.command("UID FETCH 1:* (FLAGS)");
            session.check(session.view.complete(), "after NOOP and UID FETCH 1:* some message is still unknown");
        }
        Session fresh = new Session(-1, seed, user, shared);
        try {
            fresh.command("UID FETCH 1:* (FLAGS)");
            Map<Long, Set<String>> truth = state(fresh.view);
            Map<Long, Set<String>> stored = new LinkedHashMap<>();
            for (MessageMeta message : HATO.inbox(user)) {
                Set<String> flags = ImapMailboxView.flagSet();
                flags.addAll(message.flags());
                stored.put(message.uid(), flags);
            }
            assertThat(truth).as("a fresh session's INBOX against the store").isEqualTo(stored);
            for (Session session : sessions) {
                assertThat(state(session.view)).as("session %d's view after NOOP", session.index)
                        .isEqualTo(truth);
                for (Entry entry : session.mustBeGone) {
                    assertThat(session.view.entries()).as("session %d: %s got no FETCH in answer to its command, so "
                            + "another session must have expunged it", session.index, entry)
                            .doesNotContain(entry);
                }
                for (Long uid : session.unannouncedAppends) {
                    assertThat(truth).as("session %d appended UID %d to its selected mailbox without an EXISTS "
                            + "(RFC 3501 §6.3.11), so it must be gone", session.index, uid)
                            .doesNotContainKey(uid);
                }
            }
            for (Long uid : truth.keySet()) {
                // RFC 3501 §2.3.2: recent in the first session told of it; every session was, all read-write.
                assertThat(shared.recentIn(uid)).as("the session UID %d is \\Recent in", uid)
                        .isNotNull();
            }
        } finally {
            fresh.close();
        }
    }

    private static Map<Long, Set<String>> state(ImapMailboxView view) {
        Map<Long, Set<String>> state = new LinkedHashMap<>();
        for (Entry entry : view.entries()) {
            state.put(entry.uid, entry.flags);
        }
        return state;
    }

    private static List<String> randomFlags(Random random) {
        List<String> flags = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            String flag = FLAGS.get(random.nextInt(FLAGS.size()));
            if (!flags.contains(flag)) {
                flags.add(flag);
            }
        }
        return flags;
    }

    /** One session, its view, its random command mix, and what the end must confirm. */
    private static final class Session implements AutoCloseable {

        private static final int TRANSCRIPT = 80;

        private final int index;
        private final Random random;
        private final SocketTransport imap;
        private final ImapMailboxView view;
        private final ArrayDeque<String> transcript = new ArrayDeque<>();
        /** Messages a command named that got no FETCH for it: another session must have expunged them (RFC 2180 §4). */
        private final List<Entry> mustBeGone = new ArrayList<>();
        private final List<Long> unannouncedAppends = new ArrayList<>();
        private int tags;
        /** Conditional STOREs answered with MODIFIED, for the summary of a run. */
        private int modifiedAnswers;

        /**
         * Session {@code index} logs in and selects INBOX; odd ones enable CONDSTORE (by SELECT's parameter or by
         * ENABLE, RFC 7162 §3.1). Index -1 is a fresh observer: EXAMINE, so that it takes no \Recent.
         */
        Session(int index, long seed, RunningHato.User user, ImapMailboxView.Shared shared) throws Exception {
            this.index = index;
            this.random = new Random(seed ^ ((index + 1) * 0x9E3779B97F4A7C15L));
            boolean condStore = index < 0 || index % 2 == 1;
            this.view = new ImapMailboxView(shared, index, condStore);
            this.imap = ImapLines.login(HATO, user);
            if (index == 3) {
                command("ENABLE CONDSTORE");
            }
            command(index < 0 ? "EXAMINE INBOX (CONDSTORE)" : index == 1 ? "SELECT INBOX (CONDSTORE)"
                    : "SELECT INBOX");
            check(view.uidValidity() > 0, "no UIDVALIDITY");
        }

        void run(long deadline, AtomicBoolean failed) throws Exception {
            for (int i = 0; i < COMMANDS && System.nanoTime() < deadline && !failed.get(); i++) {
                step();
            }
        }

        private void step() throws Exception {
            List<Entry> entries = view.entries();
            int pick = entries.isEmpty() ? 81 + random.nextInt(12) : random.nextInt(100);
            if (pick < 12) {
                command("NOOP");
            } else if (pick < 24) {
                int[] range = range(entries.size());
                fetch("FETCH " + set(range) + " (UID FLAGS)", slice(range), Set.of());
            } else if (pick < 34) {
                fetch("UID FETCH 1:* (FLAGS)", List.copyOf(entries), Set.of());
            } else if (pick < 64 || (pick < 72 && !view.complete())) {
                int[] range = range(entries.size());
                store("STORE " + set(range), slice(range), false);
            } else if (pick < 72) {
                int[] range = range(entries.size());
                store("UID STORE " + entries.get(range[0] - 1).uid + ":" + entries.get(range[1] - 1).uid,
                        slice(range), true);
            } else if (pick < 78 || (pick < 81 && !view.complete())) {
                command("EXPUNGE");
            } else if (pick < 81) {
                int[] range = range(entries.size());
                command("UID EXPUNGE " + entries.get(range[0] - 1).uid + ":" + entries.get(range[1] - 1).uid);
            } else if (pick < 93) {
                append();
            } else {
                int[] range = range(entries.size());
                fetch("FETCH " + set(range) + " (UID " + NON_PEEK + ")", slice(range), Set.of("\\Seen"));
            }
        }

        /** A random range of sequence numbers, 1-based, inclusive. */
        private int[] range(int size) {
            int from = 1 + random.nextInt(size);
            int to = Math.min(size, from + random.nextInt(4));
            return new int[] {from, to};
        }

        /** The sequence set of a range, sometimes written with {@code *} for the last message. */
        private String set(int[] range) {
            if (range[1] == view.entries().size() && random.nextInt(4) == 0) {
                return range[0] + ":*";
            }
            return range[0] == range[1] ? Integer.toString(range[0]) : range[0] + ":" + range[1];
        }

        private List<Entry> slice(int[] range) {
            return List.copyOf(view.entries().subList(range[0] - 1, range[1]));
        }

        /**
         * STORE or UID STORE of random flags. RFC 2180 §4.2: a message another session expunged is passed over and
         * the rest stored, with OK. Without .SILENT every message named gets its FLAGS (RFC 3501 §6.4.6) unless it is
         * gone; with .SILENT the session knows what it stored, unless a response in the answer says more. Under
         * CONDSTORE some are conditional (RFC 7162 §3.1.3): a message whose mod-sequence the session knows to be above
         * UNCHANGEDSINCE is in MODIFIED unless it is gone, and a message in MODIFIED keeps its flags.
         */
        private void store(String prefix, List<Entry> targets, boolean byUid) throws Exception {
            char mode = "++++--- ".charAt(random.nextInt(8));
            boolean silent = random.nextInt(10) < 4;
            List<String> flags = randomFlags(random);
            if (flags.isEmpty()) {
                flags = List.of(FLAGS.get(random.nextInt(FLAGS.size())));
            }
            Long unchangedSince = null;
            if (view.condStore() && random.nextInt(10) < 3 && targets.stream().allMatch(entry -> entry.modseq > 0)) {
                List<Long> known = targets.stream().map(entry -> entry.modseq).sorted().toList();
                unchangedSince = random.nextBoolean() ? known.get(0) : known.get(known.size() - 1);
            }
            String item = (mode == ' ' ? "" : String.valueOf(mode)) + "FLAGS" + (silent ? ".SILENT" : "");
            Map<Entry, Long> modseqs = new java.util.IdentityHashMap<>();
            targets.forEach(entry -> modseqs.put(entry, entry.modseq));
            String tagged = command(prefix + (unchangedSince == null ? "" : " (UNCHANGEDSINCE " + unchangedSince
                    + ")") + " " + item + " (" + String.join(" ", flags) + ")");
            List<Entry> refused = new ArrayList<>();
            if (tagged.contains("[MODIFIED ")) {
                check(unchangedSince != null, "MODIFIED without UNCHANGEDSINCE");
                modifiedAnswers++;
                String set = tagged.substring(tagged.indexOf("[MODIFIED ") + 10, tagged.indexOf(']'));
                for (long number : numbers(set)) {
                    Entry named = null;
                    for (int i = 0; i < targets.size() && named == null; i++) {
                        Entry target = targets.get(i);
                        // STORE names sequence numbers, the same as when it was sent (no EXPUNGE during STORE).
                        if (byUid ? target.uid == number : view.entries().indexOf(target) == number - 1) {
                            named = target;
                        }
                    }
                    check(named != null, "MODIFIED names " + number + ", not a message of the STORE");
                    refused.add(named);
                }
            }
            for (Entry entry : targets) {
                boolean alive = containsSame(view.entries(), entry);
                if (unchangedSince != null && modseqs.get(entry) > unchangedSince && alive
                        && !refused.contains(entry)) {
                    mustBeGone.add(entry); // a message changed since UNCHANGEDSINCE is refused unless gone
                }
                if (entry.toldIn == view.command() || !alive || refused.contains(entry)) {
                    continue;
                }
                if (!silent) {
                    mustBeGone.add(entry);
                } else if (entry.flags != null) {
                    entry.flags = ImapMailboxView.after(entry.flags, mode, flags);
                }
            }
        }

        /** The numbers of a sequence set without {@code *}, such as {@code 1:3,7}. */
        private static List<Long> numbers(String set) {
            List<Long> numbers = new ArrayList<>();
            for (String part : set.split(",")) {
                int colon = part.indexOf(':');
                long from = Long.parseLong(colon < 0 ? part : part.substring(0, colon));
                long to = colon < 0 ? from : Long.parseLong(part.substring(colon + 1));
                for (long n = Math.min(from, to); n <= Math.max(from, to); n++) {
                    numbers.add(n);
                }
            }
            return numbers;
        }

        /**
         * FETCH of the targets with UID (which tells their answers apart from announcements of other sessions'
         * changes), each answered or expunged by another session. A FETCH that sets \Seen (RFC 3501 §6.4.5) leaves
         * it set; the answer shows FLAGS when that changed them.
         */
        private void fetch(String line, List<Entry> targets, Set<String> sets) throws Exception {
            command(line, sets);
            for (Entry entry : targets) {
                if (!containsSame(view.entries(), entry)) {
                    continue; // UID FETCH may announce expunges (RFC 3501 §7.4.1)
                }
                if (entry.answeredIn != view.command()) {
                    mustBeGone.add(entry);
                } else if (entry.toldIn != view.command() && entry.flags != null) {
                    // RFC 3501 §6.4.5: \Seen is set; a server that found it set already has nothing to report.
                    entry.flags.addAll(sets);
                }
            }
            view.checkRecentCount();
        }

        /** RFC 3501 §6.3.11 and RFC 4315 §3: APPEND to the selected mailbox reports the new message by EXISTS. */
        private void append() throws Exception {
            long known = view.highestUid();
            String message = "Subject: s" + index + "-" + tags + "\r\n\r\nbody\r\n";
            String tagged = command("APPEND INBOX (" + String.join(" ", randomFlags(random)) + ") {" + message.length()
                    + "+}\r\n" + message);
            String code = tagged.substring(tagged.indexOf("[APPENDUID ") + 11, tagged.indexOf(']'));
            check(Long.parseLong(code.substring(0, code.indexOf(' '))) == view.uidValidity(),
                    "APPENDUID names another UIDVALIDITY");
            long uid = Long.parseLong(code.substring(code.indexOf(' ') + 1));
            check(uid > known, "APPENDUID " + uid + " not above a UID the session knew, " + known);
            if (!lastHadExists) {
                unannouncedAppends.add(uid);
            }
        }

        private boolean lastHadExists;

        String command(String line) throws Exception {
            return command(line, null);
        }

        /**
         * Sends one command and reads its answer, every untagged response through the view; the tagged answer must
         * be OK. {@code fetchSets}: not null for a FETCH, the flags it may set.
         */
        private String command(String line, @Nullable Set<String> fetchSets) throws Exception {
            String tag = "s" + (index < 0 ? "x" : index) + "-" + ++tags;
            view.startCommand();
            String sent = tag + " " + line;
            record("C: " + sent);
            imap.send((sent + "\r\n").getBytes(StandardCharsets.US_ASCII));
            lastHadExists = false;
            while (true) {
                String response = readResponse();
                record("S: " + response);
                if (response.startsWith(tag + " ")) {
                    check(response.startsWith(tag + " OK"), "the command was not answered OK");
                    return response;
                }
                check(response.startsWith("* "), "neither untagged nor this command's tagged response");
                lastHadExists |= response.endsWith(" EXISTS");
                try {
                    view.untagged(response, fetchSets);
                } catch (AssertionError | RuntimeException violation) {
                    throw failure(violation.getMessage() + " in: " + response, violation);
                }
            }
        }

        /** One response; a literal (only the CRLF of an empty header section here) read and replaced by "". */
        private String readResponse() throws Exception {
            String line = imap.readLine();
            if (line.endsWith("}") && line.lastIndexOf('{') > 0) {
                int open = line.lastIndexOf('{');
                int remaining = Integer.parseInt(line.substring(open + 1, line.length() - 1));
                while (remaining > 0) {
                    remaining -= imap.readLine().getBytes(StandardCharsets.US_ASCII).length + 2;
                }
                check(remaining == 0, "a literal that does not end a line");
                return line.substring(0, open) + "\"\"" + imap.readLine();
            }
            return line;
        }

        private void record(String line) {
            if (transcript.size() == TRANSCRIPT) {
                transcript.removeFirst();
            }
            transcript.addLast(line);
        }

        void check(boolean condition, String violation) {
            if (!condition) {
                throw failure(violation, null);
            }
        }

        private AssertionError failure(String violation, @Nullable Throwable cause) {
            StringBuilder text = new StringBuilder("session ").append(index).append(": ").append(violation)
                    .append("\nview: ").append(view.entries()).append("\nlast lines of session ").append(index)
                    .append(':');
            transcript.forEach(l -> text.append("\n  ").append(l));
            return new AssertionError(text.toString(), cause);
        }

        private static boolean containsSame(List<Entry> entries, Entry entry) {
            for (Entry each : entries) {
                if (each == entry) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void close() {
            imap.close();
        }
    }
}
