package dev.hato.bench.load;

import io.netty.handler.ssl.SslContext;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Many concurrent IDLE sessions and how fast a delivery reaches them: opens {@code --sessions} TLS connections
 * spread over the accounts (session i uses account i mod accounts), each AUTHENTICATE SCRAM-SHA-256 when the server
 * offers it (the client keeps SaltedPassword per account, so the server hashes no password; LOGIN otherwise) +
 * SELECT INBOX + IDLE (RFC 2177); with all of them idling, reads the server's heap and RSS; then delivers
 * {@code --rounds} messages to every account by SMTP, one after another with a pause between, and measures for every
 * idling session the time from the SMTP 250 of its account's delivery to the {@code * n EXISTS} it receives
 * (p50/p99/max over all sessions and rounds). A session that never sees its EXISTS within {@code --wait} seconds
 * counts as missed; any failure to open a session, any miss, fails the run. {@code --lmtp} delivers over LMTP
 * (RFC 2033) instead, for Dovecot.
 *
 * <p>The 250 is read by this process, so an EXISTS can arrive before it (the server notifies the idlers as it
 * commits, and the 250 still travels back): those count as 0 ms and are reported separately. The time from the
 * client's DATA command (content and commit included) to the EXISTS is reported as well.
 *
 * <pre>
 * java -Xmx2g -cp benchmarks/target/benchmarks.jar dev.hato.bench.load.ImapIdle --port 1993 --accounts a.tsv \
 *     --sessions 10000 --smtp-port 2525 [--server-pid PID] [--ca cert.pem | --insecure] [--auth auto|scram|login]
 *     [--open-concurrency 64] [--rounds 1] [--gap-ms 20] [--wait 30] [--csv]
 * </pre>
 */
public final class ImapIdle {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern HEAP = Pattern.compile("total (\\d+)K, used (\\d+)K");

    private final Options options;
    private final Accounts accounts;
    private final SslContext tls;
    private final List<ImapClient> open = Collections.synchronizedList(new ArrayList<>());
    private final long[] baseline;
    /** 1 for each session that reached IDLE. */
    private final AtomicIntegerArray idles;
    /** Per session and round: nanoTime at which the EXISTS for that round arrived (0: not yet). */
    private final AtomicLongArray arrivals;
    private final AtomicInteger openFailures = new AtomicInteger();
    private final List<String> firstErrors = Collections.synchronizedList(new ArrayList<>());

    private ImapIdle(Options options) {
        this.options = options;
        this.accounts = Accounts.read(options.accounts());
        this.tls = ImapClient.tls(options.insecure() ? null : options.ca());
        this.baseline = new long[options.sessions()];
        this.idles = new AtomicIntegerArray(options.sessions());
        this.arrivals = new AtomicLongArray(options.sessions() * options.rounds());
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ImapIdle: " + e.getMessage());
            System.err.println("usage: ImapIdle [--host H] --port P --accounts FILE --smtp-port P [--sessions N]"
                    + " [--open-concurrency N] [--rounds N] [--gap-ms MS] [--wait S] [--auth auto|scram|login]"
                    + " [--server-pid PID] [--ca PEM | --insecure] [--lmtp] [--csv]");
            System.exit(2);
            return;
        }
        System.exit(new ImapIdle(options).run() ? 0 : 1);
    }

    private boolean run() throws Exception {
        long t0 = System.nanoTime();
        Flux.range(0, options.sessions())
                .flatMap(i -> openSession(i).onErrorResume(e -> {
                    openFailures.incrementAndGet();
                    if (firstErrors.size() < 10) {
                        firstErrors.add("session " + i + ": " + e);
                    }
                    return Mono.empty();
                }), options.openConcurrency())
                .then()
                // Bounded: a minute plus 100 ms per session (10,000 sessions: under 18 minutes).
                .block(TIMEOUT.plus(Duration.ofMillis(100L * options.sessions())));
        double openSeconds = (System.nanoTime() - t0) / 1e9;
        int idling = open.size();
        System.out.printf(Locale.ROOT, "%d of %d sessions idling after %.1f s (%.0f sessions/s), %d failed to open%n",
                idling, options.sessions(), openSeconds, idling / openSeconds, openFailures.get());
        Memory serverBefore = serverMemory("with all sessions idling");

        long[] replied = new long[accounts.size() * options.rounds()];
        long[] dataCommand = new long[accounts.size() * options.rounds()];
        byte[][] messages = new byte[accounts.size()][];
        for (int a = 0; a < accounts.size(); a++) {
            messages[a] = SmtpLatency.dotStuffed(SmtpLatency.message(1024, "idle@client.bench.example",
                    accounts.get(a).address()));
        }
        try (SmtpLatency.Connection smtp = SmtpLatency.Connection.open(options.host(), options.smtpPort())) {
            smtp.expect(220);
            smtp.command((options.lmtp() ? "LHLO" : "EHLO") + " client.bench.example", 250);
            for (int round = 0; round < options.rounds(); round++) {
                for (int a = 0; a < accounts.size(); a++) {
                    smtp.command("MAIL FROM:<idle@client.bench.example>", 250);
                    smtp.command("RCPT TO:<" + accounts.get(a).address() + ">", 250);
                    dataCommand[round * accounts.size() + a] = System.nanoTime();
                    smtp.data(messages[a]);
                    replied[round * accounts.size() + a] = System.nanoTime();
                    Thread.sleep(options.gapMillis());
                }
            }
            smtp.command("QUIT", 221);
        }
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.waitSeconds());
        while (System.nanoTime() < waitUntil && missing() > 0) {
            Thread.sleep(50);
        }
        Memory serverAfter = serverMemory("after the deliveries");

        List<Long> fromReply = new ArrayList<>();
        List<Long> fromData = new ArrayList<>();
        int early = 0;
        int missed = 0;
        for (int s = 0; s < options.sessions(); s++) {
            if (idles.get(s) == 0) {
                continue;  // never opened: counted as an open failure
            }
            for (int round = 0; round < options.rounds(); round++) {
                long arrived = arrivals.get(s * options.rounds() + round);
                int delivery = round * accounts.size() + Math.floorMod(s, accounts.size());
                if (arrived == 0) {
                    missed++;
                    continue;
                }
                long latency = arrived - replied[delivery];
                if (latency < 0) {
                    early++;
                    latency = 0;
                }
                fromReply.add(latency);
                fromData.add(arrived - dataCommand[delivery]);
            }
        }
        long[] reply = fromReply.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] data = fromData.stream().mapToLong(Long::longValue).sorted().toArray();
        for (ImapClient client : open) {
            client.close();
        }
        if (options.csv()) {
            // sessions,accounts,rounds,idling,open_s,notified,missed,early,p50_ms,p99_ms,max_ms,data_p50_ms,
            // data_p99_ms,data_max_ms,heap_used_mib,heap_live_mib,rss_mib,tree_rss_mib (with all sessions idling)
            System.out.printf(Locale.ROOT, "%d,%d,%d,%d,%.1f,%d,%d,%d,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%s%n",
                    options.sessions(), accounts.size(), options.rounds(), idling, openSeconds, reply.length, missed,
                    early, Samples.percentileMillis(reply, 50), Samples.percentileMillis(reply, 99), max(reply),
                    Samples.percentileMillis(data, 50), Samples.percentileMillis(data, 99), max(data),
                    serverBefore.csv());
        }
        System.out.printf(Locale.ROOT, "%d notifications (%d sessions x %d rounds), %d missed, %d arrived before the"
                        + " client read the 250%n", reply.length, idling, options.rounds(), missed, early);
        System.out.printf(Locale.ROOT, "SMTP 250 -> * n EXISTS: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                Samples.percentileMillis(reply, 50), Samples.percentileMillis(reply, 99), max(reply));
        System.out.printf(Locale.ROOT, "DATA command -> * n EXISTS: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                Samples.percentileMillis(data, 50), Samples.percentileMillis(data, 99), max(data));
        System.out.print(serverBefore.describe(options.serverPid()));
        System.out.print(serverAfter.describe(options.serverPid()));
        for (String error : firstErrors) {
            System.err.println("ImapIdle error: " + error);
        }
        return openFailures.get() == 0 && missed == 0;
    }

    private static double max(long[] sorted) {
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6;
    }

    private int missing() {
        int missing = 0;
        for (int s = 0; s < options.sessions(); s++) {
            if (idles.get(s) == 1 && arrivals.get(s * options.rounds() + options.rounds() - 1) == 0) {
                missing++;
            }
        }
        return missing;
    }

    private Mono<Void> openSession(int index) {
        Accounts.Account account = accounts.get(index);
        return ImapClient.connect(options.host(), options.port(), tls, TIMEOUT).flatMap(imap -> {
            Mono<Boolean> scram = switch (options.auth()) {
                case "scram" -> Mono.just(true);
                case "login" -> Mono.just(false);
                // RFC 3501 §7.1: the greeting may carry the capabilities; otherwise ask.
                default -> imap.greeting().contains("[CAPABILITY ")
                        ? Mono.just(imap.greeting().contains(" AUTH=SCRAM-SHA-256"))
                        : imap.command("CAPABILITY").map(r -> r.untagged().stream()
                                .anyMatch(u -> u.text().startsWith("* CAPABILITY ")
                                        && u.text().contains(" AUTH=SCRAM-SHA-256")));
            };
            return scram.flatMap(useScram -> useScram
                            ? imap.authenticate("SCRAM-SHA-256",
                                    new ScramSha256Client(account.login(), account.password()))
                            : imap.command(account.loginCommand()))
                    .flatMap(r -> ok(r, "login"))
                    .then(imap.command("SELECT INBOX")).flatMap(r -> ok(r, "SELECT"))
                    .flatMap(select -> {
                        long exists = select.untagged().stream().filter(r -> "EXISTS".equals(r.numberedKind()))
                                .mapToLong(ImapResponse::number).max().orElse(-1);
                        if (exists < 0) {
                            return Mono.error(new IllegalStateException("SELECT without EXISTS"));
                        }
                        baseline[index] = exists;
                        return imap.idle(response -> exists(index, response));
                    })
                    .timeout(TIMEOUT)
                    .doOnSuccess(v -> {
                        open.add(imap);
                        idles.set(index, 1);
                    })
                    .doOnError(e -> imap.close());
        });
    }

    private static Mono<ImapClient.Result> ok(ImapClient.Result result, String what) {
        return result.ok() ? Mono.just(result)
                : Mono.error(new IllegalStateException(what + " answered: " + result.completion().text()));
    }

    /** On the event loop: "* n EXISTS" with n above the count at SELECT marks rounds 1..n-baseline as arrived. */
    private void exists(int session, ImapResponse response) {
        if (!"EXISTS".equals(response.numberedKind())) {
            return;
        }
        long now = System.nanoTime();
        long grown = response.number() - baseline[session];
        for (int round = 0; round < Math.min(grown, options.rounds()); round++) {
            arrivals.compareAndSet(session * options.rounds() + round, 0, now);
        }
    }

    /**
     * Heap (jcmd GC.heap_info, before and after a full GC) of the server when it is a JVM, and RSS (/proc) of the
     * process and of its whole process tree (Hato's embedded PostgreSQL, Dovecot's imap processes). jcmd only
     * for a JVM: its attach mechanism sends SIGQUIT, which stops other servers.
     */
    private Memory serverMemory(String when) {
        long pid = options.serverPid();
        if (pid == 0) {
            return new Memory(when, -1, -1, -1, -1, -1);
        }
        long used = -1;
        long live = -1;
        if (isJava(pid)) {
            used = heapUsedKib(jcmd("GC.heap_info"));
            jcmd("GC.run");
            live = heapUsedKib(jcmd("GC.heap_info"));
        }
        return new Memory(when, used, live, statusKib(pid, "VmRSS:"), statusKib(pid, "VmHWM:"), treeRssKib(pid));
    }

    /** A server's memory at one moment, in KiB; -1 where not measured. */
    record Memory(String when, long heapUsed, long heapLive, long rss, long rssPeak, long treeRss) {
        String describe(long pid) {
            if (rss < 0) {
                return "";
            }
            String heap = heapUsed < 0 ? "" : String.format(Locale.ROOT,
                    " heap used %d MiB, %d MiB after a full GC,", heapUsed / 1024, heapLive / 1024);
            return String.format(Locale.ROOT, "server (pid %d) %s:%s RSS %d MiB (peak %d MiB), with its child"
                    + " processes %d MiB%n", pid, when, heap, rss / 1024, rssPeak / 1024, treeRss / 1024);
        }

        String csv() {
            return String.join(",", mib(heapUsed), mib(heapLive), mib(rss), mib(treeRss));
        }

        private static String mib(long kib) {
            return kib < 0 ? "" : Long.toString(kib / 1024);
        }
    }

    private static boolean isJava(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).getFileName().toString().equals("java");
        } catch (IOException e) {
            return false;
        }
    }

    private static long statusKib(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).replace("kB", "").trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    /** VmRSS of pid and every descendant (parents from /proc/<pid>/stat). Shared pages count once per process. */
    private static long treeRssKib(long root) {
        java.util.Map<Long, List<Long>> children = new java.util.HashMap<>();
        try (var entries = Files.list(Path.of("/proc"))) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(entry.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    children.computeIfAbsent(Long.parseLong(fields[1]), k -> new ArrayList<>()).add(Long.parseLong(name));
                } catch (IOException | RuntimeException e) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException e) {
            return statusKib(root, "VmRSS:");
        }
        long total = 0;
        java.util.ArrayDeque<Long> queue = new java.util.ArrayDeque<>(List.of(root));
        while (!queue.isEmpty()) {
            long pid = queue.pop();
            total += statusKib(pid, "VmRSS:");
            queue.addAll(children.getOrDefault(pid, List.of()));
        }
        return total;
    }

    /** G1 and the other collectors print "total 1048576K, used 123456K" in GC.heap_info. */
    private static long heapUsedKib(String heapInfo) {
        Matcher m = HEAP.matcher(heapInfo);
        return m.find() ? Long.parseLong(m.group(2)) : -1;
    }

    private String jcmd(String command) {
        try {
            Process process = new ProcessBuilder("jcmd", Long.toString(options.serverPid()), command)
                    .redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            process.waitFor(60, TimeUnit.SECONDS);
            return new String(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "jcmd failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Command-line settings, validated. */
    record Options(String host, int port, Path accounts, int sessions, int openConcurrency, int smtpPort, int rounds,
                   int gapMillis, int waitSeconds, String auth, long serverPid, @Nullable File ca, boolean insecure,
                   boolean lmtp, boolean csv) {
        Options {
            if (port < 1 || port > 65_535 || smtpPort < 1 || smtpPort > 65_535) {
                throw new IllegalArgumentException("--port and --smtp-port must be 1..65535");
            }
            if (sessions < 1 || sessions > 100_000 || openConcurrency < 1 || openConcurrency > 10_000) {
                throw new IllegalArgumentException("--sessions must be 1..100000, --open-concurrency 1..10000");
            }
            if (rounds < 1 || rounds > 100 || gapMillis < 0 || gapMillis > 10_000 || waitSeconds < 1
                    || waitSeconds > 600) {
                throw new IllegalArgumentException("--rounds 1..100, --gap-ms 0..10000, --wait 1..600");
            }
            if (!auth.equals("scram") && !auth.equals("login") && !auth.equals("auto")) {
                throw new IllegalArgumentException("--auth must be auto, scram or login");
            }
            if ((ca == null) != insecure) {
                throw new IllegalArgumentException("give either --ca PEM (the server's certificate) or --insecure");
            }
        }

        static Options parse(String[] args) {
            String host = "127.0.0.1";
            int port = 0;
            Path accounts = null;
            int sessions = 10_000;
            int openConcurrency = 64;
            int smtpPort = 0;
            int rounds = 1;
            int gapMillis = 20;
            int waitSeconds = 30;
            String auth = "auto";
            long serverPid = 0;
            File ca = null;
            boolean insecure = false;
            boolean lmtp = false;
            boolean csv = false;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--insecure" -> insecure = true;
                    case "--lmtp" -> lmtp = true;
                    case "--csv" -> csv = true;
                    case "--host", "--port", "--accounts", "--sessions", "--open-concurrency", "--smtp-port",
                            "--rounds", "--gap-ms", "--wait", "--auth", "--server-pid", "--ca" -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(arg + " needs a value");
                        }
                        String value = args[++i];
                        switch (arg) {
                            case "--host" -> host = value;
                            case "--port" -> port = ImapLoad.Options.number(arg, value);
                            case "--accounts" -> accounts = Path.of(value);
                            case "--sessions" -> sessions = ImapLoad.Options.number(arg, value);
                            case "--open-concurrency" -> openConcurrency = ImapLoad.Options.number(arg, value);
                            case "--smtp-port" -> smtpPort = ImapLoad.Options.number(arg, value);
                            case "--rounds" -> rounds = ImapLoad.Options.number(arg, value);
                            case "--gap-ms" -> gapMillis = ImapLoad.Options.number(arg, value);
                            case "--wait" -> waitSeconds = ImapLoad.Options.number(arg, value);
                            case "--auth" -> auth = value;
                            case "--server-pid" -> serverPid = ImapLoad.Options.number(arg, value);
                            default -> ca = new File(value);
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown argument " + arg);
                }
            }
            if (accounts == null) {
                throw new IllegalArgumentException("--accounts FILE is required (login<TAB>password<TAB>address)");
            }
            return new Options(host, port, accounts, sessions, openConcurrency, smtpPort, rounds, gapMillis,
                    waitSeconds, auth, serverPid, ca, insecure, lmtp, csv);
        }
    }
}
