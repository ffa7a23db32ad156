package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection (docs/security.md, "Fault injection"), counted: the packaged server killed with SIGKILL at a
 * random moment of IMAP APPEND, COPY, MOVE and EXPUNGE and of outbound delivery; its PostgreSQL stopped and started
 * again, and out of disk space, under SMTP load. What was acknowledged must survive, a client sees only temporary
 * errors, outbound mail is delivered at least once and twice at most for what was in flight, and the server
 * recovers by itself. The random moments come from a seed printed by each test (-Dhato.faults.seed=N repeats it).
 */
class FaultInjectionIT {

    private static final String PASSWORD = "faults-secret-1";
    private static final String DOMAIN = "faults.test";
    private static final Pattern APPENDUID = Pattern.compile("\\[APPENDUID \\d+ (\\d+)]");
    private static final Pattern FETCH_UID = Pattern.compile("UID (\\d+)");

    @TempDir
    Path work;

    private static Random random(String test) {
        long seed = Long.getLong("hato.faults.seed", System.nanoTime());
        System.out.printf("%s: seed %d (-Dhato.faults.seed=%d repeats the kill moments)%n", test, seed, seed);
        return new Random(seed);
    }

    // ---------------------------------------------------------------------------------------------------- IMAP

    /** What the IMAP clients were told, over all rounds: message IDs by what was acknowledged. */
    private static final class Ledger {
        /** Acknowledged APPENDs: message ID to mailbox and APPENDUID. */
        final Map<String, Placed> appended = new ConcurrentHashMap<>();
        /** APPENDs sent without an answer (the kill came first): present or not, never twice. */
        final Set<String> appendsInDoubt = ConcurrentHashMap.newKeySet();
        final Set<String> moved = ConcurrentHashMap.newKeySet();
        final Set<String> movesInDoubt = ConcurrentHashMap.newKeySet();
        final Set<String> copied = ConcurrentHashMap.newKeySet();
        final Set<String> copiesInDoubt = ConcurrentHashMap.newKeySet();
        final Set<String> expunged = ConcurrentHashMap.newKeySet();
        final Set<String> expungesInDoubt = ConcurrentHashMap.newKeySet();

        int count(String kind) {
            return switch (kind) {
                case "Append" -> (int) appended.values().stream().filter(p -> p.mailbox.equals("Append")).count();
                case "Move" -> moved.size();
                case "Copy" -> copied.size();
                default -> expunged.size();
            };
        }
    }

    private record Placed(String mailbox, long uid) { }

    private static final String[] KINDS = {"Append", "Move", "Copy", "Exp"};
    private static final int IMAP_CLIENTS = 8;

    /**
     * One server, three rounds: IMAP clients append, move, copy and expunge while submitted mail goes out to a sink
     * through the outbound queue; the server is killed at a random moment of each round and started again. After
     * each restart the mailboxes hold every acknowledged change; after the last, every acknowledged submission was
     * delivered, and what was delivered twice was in flight at a kill (at most one per outbound connection).
     */
    @Test
    void killDashNineDuringImapChangesAndOutboundDeliveryShouldKeepEveryAcknowledgedChangeAndMessage()
            throws Exception {
        Random random = random("kill");
        int connections = 2;
        try (TestSmtpServer sink = TestSmtpServer.on("127.0.0.1", 0).dataDelay(java.time.Duration.ofMillis(150))
                .start()) {
            Path data = work.resolve("data");
            Map<String, Integer> ports = HatoProcess.ports("imaps", "submissions");
            String[] outbound = {"--hato.outbound.smarthost.host=127.0.0.1",
                "--hato.outbound.smarthost.port=" + sink.port(), "--hato.outbound.smarthost.tls=none",
                "--hato.outbound.connections-per-destination=" + connections,
                "--hato.outbound.claim-lease=10s", "--hato.outbound.poll-interval=500ms",
                "--hato.outbound.first-retry=1s", "--hato.outbound.max-retry=2s"};
            HatoProcess server = HatoProcess.serve(work, data, "kill-0", ports, Map.of(), outbound);
            String authId;
            try {
                HatoProcess.cli(data, Map.of(), "", "domain", "add", DOMAIN);
                authId = HatoProcess.cli(data, Map.of(), PASSWORD + "\n", "user", "add", "box@" + DOMAIN,
                        "--password-stdin").trim();
                try (Imap imap = Imap.login(ports.get("imaps"), authId)) {
                    for (String mailbox : mailboxes()) {
                        imap.ok("CREATE " + mailbox);
                    }
                }
            } catch (Exception | AssertionError e) {
                server.kill();
                throw e;
            }
            Ledger ledger = new Ledger();
            Set<String> submittedAndAcknowledged = ConcurrentHashMap.newKeySet();
            List<Integer> kills = new ArrayList<>();
            int rounds = 3;
            for (int round = 1; round <= rounds; round++) {
                AtomicBoolean running = new AtomicBoolean(true);
                int submitters = 2;
                ExecutorService clients = Executors.newFixedThreadPool(IMAP_CLIENTS + submitters);
                for (int t = 0; t < IMAP_CLIENTS; t++) {
                    int client = t;
                    int r = round;
                    clients.submit(() -> imapClient(ports.get("imaps"), authId, r, client, running, ledger));
                }
                for (int s = 0; s < submitters; s++) {
                    int submitter = s;
                    int r = round;
                    clients.submit(() -> submit(ports.get("submissions"), authId, r, submitter, 100, running,
                            submittedAndAcknowledged));
                }
                // Every kind of change acknowledged a few times in this round and outbound delivery under way
                // (bounded), then a random moment more.
                Map<String, Integer> before = new HashMap<>();
                for (String kind : KINDS) {
                    before.put(kind, ledger.count(kind));
                }
                int deliveredBefore = sink.transactions().size();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < deadline
                        && !(java.util.Arrays.stream(KINDS).allMatch(k -> ledger.count(k) >= before.get(k) + 3)
                        && sink.transactions().size() >= deliveredBefore + 5)) {
                    Thread.sleep(20);
                }
                long delay = random.nextInt(2_000);
                Thread.sleep(delay);
                server.kill();
                kills.add(sink.connections()); // the server is gone: it opens no more connections
                int deliveredAtKill = sink.transactions().size();
                running.set(false);
                clients.shutdown();
                assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
                System.out.printf("kill round %d: killed %d ms after every IMAP change was acknowledged 3 times "
                                + "and 5 messages went out; so far acknowledged: %d APPEND, %d MOVE, %d COPY, "
                                + "%d EXPUNGE, %d submissions; %d deliveries%n", round, delay,
                        ledger.appended.size(), ledger.moved.size(), ledger.copied.size(), ledger.expunged.size(),
                        submittedAndAcknowledged.size(), deliveredAtKill);

                server = HatoProcess.serve(work, data, "kill-" + round, ports, Map.of(), outbound);
                try {
                    checkImap(ports.get("imaps"), authId, ledger, round);
                } catch (Exception | AssertionError e) {
                    server.kill();
                    throw e;
                }
            }
            try (HatoProcess last = server) {
                // The recipients claimed by the killed node wait for their lease (10 s), then go again.
                Eventually.until(() -> delivered(sink).keySet().containsAll(submittedAndAcknowledged),
                        "every acknowledged submission delivered", java.time.Duration.ofSeconds(120));
                Eventually.until(() -> queueEmpty(data), "the queue drained", java.time.Duration.ofSeconds(60));
                checkOutbound(sink, submittedAndAcknowledged, kills, connections);
            }
        }
    }

    private static List<String> mailboxes() {
        List<String> names = new ArrayList<>(List.of("Append", "MoveDst", "CopyDst"));
        for (int t = 0; t < IMAP_CLIENTS; t++) {
            if (t % KINDS.length != 0) {
                names.add(KINDS[t % KINDS.length] + "-" + t);
            }
        }
        return names;
    }

    /** One client's changes until the server is killed (or, bounded, 5 minutes pass). */
    private static void imapClient(int port, String authId, int round, int t, AtomicBoolean running, Ledger ledger) {
        String kind = KINDS[t % KINDS.length];
        String own = kind.equals("Append") ? "Append" : kind + "-" + t;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        try (Imap imap = Imap.login(port, authId)) {
            if (!kind.equals("Append")) {
                imap.ok("SELECT " + own);
            }
            for (int n = 0; running.get() && System.nanoTime() < deadline; n++) {
                String id = "<r" + round + "-t" + t + "-n" + n + "@" + DOMAIN + ">";
                switch (kind) {
                    case "Append" -> append(imap, own, id, ledger);
                    case "Move", "Copy" -> {
                        Long uid = append(imap, own, id, ledger);
                        if (uid != null) {
                            imap.ok("NOOP");
                            Set<String> inDoubt = kind.equals("Move") ? ledger.movesInDoubt : ledger.copiesInDoubt;
                            inDoubt.add(id);
                            List<String> reply = imap.command("UID " + kind.toUpperCase() + " " + uid
                                    + " " + kind + "Dst");
                            if (Imap.ok(reply)) {
                                inDoubt.remove(id);
                                (kind.equals("Move") ? ledger.moved : ledger.copied).add(id);
                            }
                        }
                    }
                    default -> {
                        String keep = id.replace("@", "-keep@");
                        String gone = id.replace("@", "-gone@");
                        Long goneUid = append(imap, own, gone, ledger);
                        if (append(imap, own, keep, ledger) != null && goneUid != null) {
                            imap.ok("NOOP");
                            imap.ok("UID STORE " + goneUid + " +FLAGS.SILENT (\\Deleted)");
                            ledger.expungesInDoubt.add(gone);
                            if (Imap.ok(imap.command("EXPUNGE"))) {
                                ledger.expungesInDoubt.remove(gone);
                                ledger.expunged.add(gone);
                            }
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException | AssertionError killed) {
            // the server went away: this round is over
        }
    }

    /** APPENDs one small message; its UID when acknowledged. */
    private static Long append(Imap imap, String mailbox, String id, Ledger ledger) throws IOException {
        byte[] message = ("Message-ID: " + id + "\r\nSubject: " + id + "\r\nFrom: box@" + DOMAIN + "\r\n\r\n"
                + "fault injection\r\n").getBytes(StandardCharsets.US_ASCII);
        ledger.appendsInDoubt.add(id);
        List<String> reply = imap.append(mailbox, message);
        if (!Imap.ok(reply)) {
            return null;
        }
        ledger.appendsInDoubt.remove(id);
        Matcher uid = APPENDUID.matcher(reply.get(reply.size() - 1));
        assertThat(uid.find()).as(reply.get(reply.size() - 1)).isTrue();
        ledger.appended.put(id, new Placed(mailbox, Long.parseLong(uid.group(1))));
        return Long.parseLong(uid.group(1));
    }

    /** After a restart: every acknowledged change is there, nothing is in two places, nothing is there twice. */
    private static void checkImap(int port, String authId, Ledger ledger, int round) throws IOException {
        Map<String, Map<String, List<Long>>> boxes = new HashMap<>();
        try (Imap imap = Imap.login(port, authId)) {
            for (String mailbox : mailboxes()) {
                boxes.put(mailbox, imap.messageIds(mailbox));
            }
        }
        List<String> problems = new ArrayList<>();
        Map<String, Integer> everywhere = new HashMap<>();
        boxes.forEach((mailbox, ids) -> ids.forEach((id, uids) -> {
            everywhere.merge(id, uids.size(), Integer::sum);
            if (uids.size() > 1) {
                problems.add(id + " " + uids.size() + " times in " + mailbox);
            }
        }));
        everywhere.forEach((id, times) -> {
            if (times > (isCopy(id) ? 2 : 1)) {
                problems.add(id + " " + times + " times in all");
            }
        });
        ledger.appended.forEach((id, placed) -> {
            List<Long> uids = boxes.get(placed.mailbox).get(id);
            boolean moveSource = placed.mailbox.startsWith("Move-");
            // a message to expunge may be gone from the moment its \Deleted flag was set
            boolean gone = id.contains("-gone@");
            if (moveSource) {
                int times = count(boxes, placed.mailbox, id) + count(boxes, "MoveDst", id);
                if (times != 1) {
                    problems.add("MOVE source message " + id + " in " + times + " of source and destination");
                }
            } else if (!gone && (uids == null || !uids.equals(List.of(placed.uid)))) {
                problems.add("acknowledged APPEND " + id + " to " + placed.mailbox + " UID " + placed.uid
                        + ": found " + uids);
            }
        });
        for (String id : ledger.moved) {
            String source = ledger.appended.get(id).mailbox;
            if (count(boxes, "MoveDst", id) != 1 || count(boxes, source, id) != 0) {
                problems.add("acknowledged MOVE " + id + ": " + count(boxes, "MoveDst", id) + " in MoveDst, "
                        + count(boxes, source, id) + " in " + source);
            }
        }
        for (String id : ledger.copied) {
            if (count(boxes, "CopyDst", id) != 1) {
                problems.add("acknowledged COPY " + id + ": " + count(boxes, "CopyDst", id) + " in CopyDst");
            }
        }
        for (String id : ledger.expunged) {
            String mailbox = ledger.appended.get(id).mailbox;
            if (count(boxes, mailbox, id) != 0) {
                problems.add("acknowledged EXPUNGE of " + id + " but it is still in " + mailbox);
            }
        }
        long movesLanded = ledger.movesInDoubt.stream().filter(id -> count(boxes, "MoveDst", id) == 1).count();
        long copiesLanded = ledger.copiesInDoubt.stream().filter(id -> count(boxes, "CopyDst", id) == 1).count();
        long appendsLanded = ledger.appendsInDoubt.stream()
                .filter(id -> everywhere.getOrDefault(id, 0) > 0).count();
        long expungesDone = ledger.expungesInDoubt.stream().filter(id -> everywhere.getOrDefault(id, 0) == 0)
                .count();
        System.out.printf("imap after round %d: checked %d acknowledged APPEND, %d MOVE, %d COPY, %d EXPUNGE; "
                        + "unanswered at the kill (done/total): APPEND %d/%d, MOVE %d/%d, COPY %d/%d, EXPUNGE %d/%d; "
                        + "problems %d%n", round, ledger.appended.size(), ledger.moved.size(), ledger.copied.size(),
                ledger.expunged.size(), appendsLanded, ledger.appendsInDoubt.size(), movesLanded,
                ledger.movesInDoubt.size(), copiesLanded, ledger.copiesInDoubt.size(), expungesDone,
                ledger.expungesInDoubt.size(), problems.size());
        assertThat(problems).as("after round " + round).isEmpty();
    }

    private static boolean isCopy(String id) {
        Matcher client = Pattern.compile("-t(\\d+)-").matcher(id);
        return client.find() && KINDS[Integer.parseInt(client.group(1)) % KINDS.length].equals("Copy");
    }

    private static int count(Map<String, Map<String, List<Long>>> boxes, String mailbox, String id) {
        List<Long> uids = boxes.get(mailbox).get(id);
        return uids == null ? 0 : uids.size();
    }

    /** A line-level IMAPS client. */
    private static final class Imap implements AutoCloseable {
        private final SocketTransport transport;
        private int tags;

        private Imap(SocketTransport transport) {
            this.transport = transport;
        }

        static Imap login(int port, String authId) throws IOException {
            Imap imap = new Imap(new SocketTransport(port, true));
            assertThat(imap.transport.readLine()).startsWith("* OK");
            imap.ok("LOGIN " + authId + " \"" + PASSWORD + "\"");
            return imap;
        }

        static boolean ok(List<String> reply) {
            String tagged = reply.get(reply.size() - 1);
            return tagged.substring(tagged.indexOf(' ') + 1).startsWith("OK");
        }

        List<String> command(String line) throws IOException {
            String tag = "f" + ++tags;
            transport.send((tag + " " + line + "\r\n").getBytes(StandardCharsets.UTF_8));
            return ImapLines.untilTagged(transport, tag);
        }

        void ok(String line) throws IOException {
            List<String> reply = command(line);
            assertThat(ok(reply)).as(line + ": " + reply).isTrue();
        }

        /** APPEND with a LITERAL+ literal (RFC 7888): no continuation to wait for. */
        List<String> append(String mailbox, byte[] message) throws IOException {
            String tag = "f" + ++tags;
            transport.send((tag + " APPEND " + mailbox + " {" + message.length + "+}\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            transport.send(message);
            transport.send("\r\n".getBytes(StandardCharsets.US_ASCII));
            return ImapLines.untilTagged(transport, tag);
        }

        /** Message-ID to the UIDs that have it, in one mailbox. */
        Map<String, List<Long>> messageIds(String mailbox) throws IOException {
            Map<String, List<Long>> ids = new HashMap<>();
            List<String> examine = command("EXAMINE " + mailbox);
            assertThat(ok(examine)).as(examine.toString()).isTrue();
            if (examine.stream().anyMatch(line -> line.equals("* 0 EXISTS"))) {
                return ids;
            }
            List<String> fetch = command("UID FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])");
            assertThat(ok(fetch)).as(fetch.toString()).isTrue();
            Long uid = null;
            String id = null;
            for (String line : fetch) {
                if (line.startsWith("* ") && line.contains(" FETCH (")) {
                    if (id != null) {
                        ids.computeIfAbsent(id, k -> new ArrayList<>()).add(uid);
                    }
                    uid = null;
                    id = null;
                }
                if (line.regionMatches(true, 0, "Message-ID: ", 0, 12)) {
                    id = line.substring(12).trim();
                } else {
                    Matcher number = FETCH_UID.matcher(line);
                    if (number.find()) {
                        uid = Long.parseLong(number.group(1));
                    }
                }
            }
            if (id != null) {
                ids.computeIfAbsent(id, k -> new ArrayList<>()).add(uid);
            }
            return ids;
        }

        @Override
        public void close() {
            transport.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ outbound

    /**
     * Every acknowledged submission delivered; each message delivered twice was delivered first on a connection the
     * sink accepted before a kill (from the server that was killed: the sink records a message after a pause, so
     * possibly after the kill) and then on one accepted after it, and no kill left more such duplicates than there
     * were outbound connections. {@code kills} holds how many connections the sink had accepted at each kill.
     */
    private static void checkOutbound(TestSmtpServer sink, Set<String> acknowledged, List<Integer> kills,
                                      int connections) {
        List<TestSmtpServer.Transaction> transactions = sink.transactions();
        Map<String, Integer> delivered = delivered(sink);
        Set<String> missing = HatoProcess.missing(acknowledged, List.copyOf(delivered.keySet()));
        List<String> duplicates = delivered.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                .sorted().toList();
        int[] perKill = new int[kills.size()];
        List<String> unexplained = new ArrayList<>();
        for (String id : duplicates) {
            List<TestSmtpServer.Transaction> times = transactions.stream()
                    .filter(t -> messageId(t).equals(id)).toList();
            int first = times.get(0).connection();
            int kill = 0;
            while (kill < kills.size() && first > kills.get(kill)) {
                kill++;
            }
            if (times.size() != 2 || kill == kills.size() || times.get(1).connection() <= kills.get(kill)) {
                unexplained.add(id + " on connections " + times.stream().map(t -> t.connection()).toList()
                        + ", connections at the kills " + kills);
            } else {
                perKill[kill]++;
            }
        }
        System.out.printf("outbound: %d submissions acknowledged, %d distinct messages delivered in %d "
                        + "transactions; %d acknowledged missing; duplicates per kill %s (at most %d connections "
                        + "in flight) %s%n", acknowledged.size(), delivered.size(), transactions.size(),
                missing.size(), java.util.Arrays.toString(perKill), connections, duplicates);
        assertThat(missing).as("acknowledged submissions never delivered").isEmpty();
        assertThat(unexplained).as("duplicates not delivered once before and once after a kill").isEmpty();
        assertThat(java.util.Arrays.stream(perKill).max().orElse(0)).as("duplicates of one kill")
                .isLessThanOrEqualTo(connections);
    }

    private static boolean queueEmpty(Path data) {
        try {
            return HatoProcess.cli(data, Map.of(), "", "queue", "list").contains("the queue is empty");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Message-ID to how many times the sink accepted it. */
    private static Map<String, Integer> delivered(TestSmtpServer sink) {
        Map<String, Integer> delivered = new HashMap<>();
        for (TestSmtpServer.Transaction transaction : sink.transactions()) {
            delivered.merge(messageId(transaction), 1, Integer::sum);
        }
        return delivered;
    }

    private static String messageId(TestSmtpServer.Transaction transaction) {
        Matcher id = Pattern.compile("(?im)^Message-ID: (<[^>]+>)").matcher(transaction.text());
        return id.find() ? id.group(1) : "(none)";
    }

    /** Submissions over implicit TLS with AUTH PLAIN, one message per transaction, until stopped. */
    private static void submit(int port, String authId, int round, int submitter, int count, AtomicBoolean running,
                               Set<String> acknowledged) {
        String auth = Base64.getEncoder().encodeToString(("\0" + authId + "\0" + PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
        try (SocketTransport smtp = new SocketTransport(port, true)) {
            smtp.readLine();
            smtpCommand(smtp, "EHLO submitter.test");
            assertThat(smtpCommand(smtp, "AUTH PLAIN " + auth)).startsWith("235");
            for (int n = 0; n < count && running.get(); n++) {
                String id = "<out-r" + round + "-s" + submitter + "-n" + n + "@" + DOMAIN + ">";
                assertThat(smtpCommand(smtp, "MAIL FROM:<box@" + DOMAIN + ">")).startsWith("250");
                assertThat(smtpCommand(smtp, "RCPT TO:<someone@far-away.test>")).startsWith("250");
                assertThat(smtpCommand(smtp, "DATA")).startsWith("354");
                String reply = smtpCommand(smtp, "Message-ID: " + id + "\r\nFrom: box@" + DOMAIN
                        + "\r\nTo: someone@far-away.test\r\nSubject: " + id + "\r\n\r\nout\r\n.");
                if (reply.startsWith("250")) {
                    acknowledged.add(id);
                }
            }
        } catch (IOException | RuntimeException | AssertionError killed) {
            // the server went away
        }
    }

    private static String smtpCommand(SocketTransport smtp, String line) throws IOException {
        smtp.send((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        String reply = smtp.readLine();
        while (reply.length() > 3 && reply.charAt(3) == '-') {
            reply = smtp.readLine();
        }
        return reply;
    }

    // ---------------------------------------------------------------------------------------------- PostgreSQL

    /**
     * Hato on an external PostgreSQL 15 whose tables live on a small tmpfs, ten SMTP senders throughout: PostgreSQL
     * is stopped (immediate or fast, by the seed) and started again three seconds later; then its disk fills up and
     * is made larger again. Hato is not restarted: after each fault new mail is acknowledged again, IMAP logins
     * work; no reply was a 5xx and nothing acknowledged is missing.
     */
    @Test
    void postgresRestartedAndOutOfDiskUnderLoadShouldGiveOnlyTemporaryErrorsAndRecoverWithoutRestart()
            throws Exception {
        ExternalPostgres.assumeAvailable();
        Random random = random("postgres");
        Path pgDir = ExternalPostgres.directory("hato-faults-pg-");
        Path disk = pgDir.resolve("disk");
        Files.createDirectory(disk);
        String uid = ExternalPostgres.run("id", "-u", "postgres").trim();
        String gid = ExternalPostgres.run("id", "-g", "postgres").trim();
        // The cluster's files on a tmpfs that is made small later, its write-ahead log beside it (a full pg_wal
        // may make PostgreSQL itself stop, see docs/security.md): what fills up is the tables.
        ExternalPostgres.run("mount", "-t", "tmpfs", "-o", "size=512m,mode=0700,uid=" + uid + ",gid=" + gid,
                "hato-faults", disk.toString());
        try (ExternalPostgres pg = new ExternalPostgres(pgDir, disk.resolve("cluster"), pgDir.resolve("wal"))) {
            underLoad(pg, List.of(new Fault("postgres stopped and started", load -> {
                load.awaitAcknowledged(load.acknowledged().size() + 30 + random.nextInt(100), 60);
                String mode = random.nextBoolean() ? "immediate" : "fast";
                int before = load.acknowledged().size();
                int temporaryBefore = load.temporary();
                pg.stop(mode);
                Thread.sleep(3_000);
                int during = load.acknowledged().size() - before;
                pg.start();
                return String.format("stopped (-m %s) after %d acknowledged, started 3 s later; %d acknowledged "
                        + "while it was down, %d temporary replies", mode, before, during,
                        load.temporary() - temporaryBefore);
            }), new Fault("postgres out of disk space", load -> {
                long used = Files.getFileStore(disk).getTotalSpace() - Files.getFileStore(disk).getUsableSpace();
                long size = used + 4 * 1024 * 1024;
                int before = load.acknowledged().size();
                int temporaryBefore = load.temporary();
                ExternalPostgres.run("mount", "-o", "remount,size=" + size, disk.toString());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (load.temporary() < temporaryBefore + 20 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                int full = load.acknowledged().size();
                Thread.sleep(1_000);
                int whileFull = load.acknowledged().size() - full;
                int temporary = load.temporary() - temporaryBefore;
                ExternalPostgres.run("mount", "-o", "remount,size=512m", disk.toString());
                String log = pg.fullLog();
                System.out.printf("postgres out of disk space: PostgreSQL log: 'No space left on device' %s, PANIC %s,"
                        + " restarted by itself %s%n", log.contains("No space left on device"), log.contains("PANIC"),
                        log.contains("all server processes terminated"));
                assertThat(temporary).as("temporary replies once the disk was full").isPositive();
                return String.format("tmpfs shrunk to %d KiB (4096 KiB free) after %d acknowledged; full after "
                        + "%d more; then %d acknowledged in one second, %d temporary replies; grown to 512 MiB",
                        size / 1024, before, full - before, whileFull, temporary);
            })));
        } finally {
            ExternalPostgres.run("umount", "-l", disk.toString());
            ExternalPostgres.run("rm", "-rf", pgDir.toString());
        }
    }

    private interface Injection {
        /** Does the fault and repairs it; what happened, for the test's output. */
        String inject(SmtpLoad load) throws Exception;
    }

    private record Fault(String name, Injection injection) { }

    /**
     * Hato on {@code pg}, ten SMTP senders (12,000 random bytes in Base64 each message, so it does not compress
     * away), the faults one after the other, each followed by 20 more acknowledged messages (bounded); then IMAP
     * logins work, nothing acknowledged is missing, and no reply was a 5xx.
     */
    private void underLoad(ExternalPostgres pg, List<Fault> faults) throws Exception {
        Path data = work.resolve("data");
        Map<String, Integer> ports = HatoProcess.ports("smtp", "pop3s", "imaps");
        try (HatoProcess server = HatoProcess.serve(work, data, "postgres", ports, pg.env())) {
            HatoProcess.cli(data, pg.env(), "", "domain", "add", DOMAIN);
            String authId = HatoProcess.cli(data, pg.env(), PASSWORD + "\n", "user", "add", "box@" + DOMAIN,
                    "--password-stdin").trim();
            Random bodies = new Random(1);
            Set<String> acknowledged;
            int temporary;
            int permanent;
            List<String> permanentReplies;
            Set<String> temporaryReplies;
            try (SmtpLoad load = new SmtpLoad(ports.get("smtp"), 10, "box@" + DOMAIN, n -> {
                byte[] bytes = new byte[12_000];
                synchronized (bodies) {
                    bodies.nextBytes(bytes);
                }
                return Base64.getMimeEncoder().encodeToString(bytes);
            })) {
                for (Fault fault : faults) {
                    String what = fault.injection.inject(load);
                    long healed = System.nanoTime();
                    int atHeal = load.acknowledged().size();
                    load.awaitAcknowledged(atHeal + 20, 120);
                    long recovery = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healed);
                    System.out.printf("%s: %s; 20 more acknowledged %d ms after the repair%n", fault.name, what,
                            recovery);
                    assertThat(load.acknowledged().size()).as("acknowledged again after: %s, without a restart",
                            fault.name).isGreaterThan(atHeal + 20);
                    try (Imap imap = Imap.login(ports.get("imaps"), authId)) {
                        imap.ok("SELECT INBOX");
                    }
                }
                load.close();
                acknowledged = load.acknowledged();
                temporary = load.temporary();
                permanent = load.permanent();
                permanentReplies = load.permanentReplies();
                temporaryReplies = load.temporaryReplies();
            }
            List<String> stored = HatoProcess.storedSubjects(ports.get("pop3s"), authId, PASSWORD);
            Set<String> lost = HatoProcess.missing(acknowledged, stored);
            System.out.printf("postgres: %d acknowledged, %d stored, %d lost; %d temporary replies %s, %d permanent "
                    + "%s; IMAP logins ok after each fault%n", acknowledged.size(), stored.size(), lost.size(),
                    temporary, temporaryReplies, permanent, permanentReplies);
            assertThat(permanent).as("5xx replies %s (PostgreSQL log:%n%s)", permanentReplies, pg.logTail())
                    .isZero();
            assertThat(lost).as("acknowledged with 250 but not stored").isEmpty();
        }
    }
}
