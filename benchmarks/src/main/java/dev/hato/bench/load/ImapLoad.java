package dev.hato.bench.load;

import dev.hato.bench.load.ImapClient.Result;
import io.netty.handler.ssl.SslContext;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * An IMAP load generator: N clients, each in a loop of the mix a mail client runs when it checks a mailbox — connect
 * (implicit TLS), LOGIN, SELECT INBOX, FETCH of the first 50 messages' UID, FLAGS, size and FROM/SUBJECT/DATE
 * fields, FETCH of one whole message (BODY.PEEK[]), STORE +FLAGS (\Seen), APPEND of a small message, UID SEARCH
 * (SUBJECT and BODY in turn), LOGOUT — for a bounded time, checking every response: each command must end in a
 * tagged OK and bring the untagged data it implies (EXISTS after SELECT, one FETCH per message with complete
 * literals, a body literal as long as its RFC822.SIZE, the new flag in any FETCH after STORE, a non-empty SEARCH,
 * BYE). A failed
 * check counts as an error, closes that connection and the client starts its loop again; more than
 * {@code --max-errors} errors stop the run, as does the time, or {@code --max-loops} iterations when given. Reports commands per second and p50/p99/max latency per command type.
 *
 * <p>Runs on Reactor Netty's event loops, so a few threads drive hundreds of clients, and the measurement is not
 * limited by one thread per client as a blocking client would be.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.hato.bench.load.ImapLoad --port 1993 --accounts accounts.tsv \
 *     --clients 50 --seconds 30 [--warmup 5] [--ca cert.pem | --insecure] [--search hatoload] [--max-errors 0]
 *     [--max-loops 0] [--label hato] [--csv]
 * </pre>
 */
public final class ImapLoad {

    /** What the per-type latencies are recorded under; every type but CONNECT is one IMAP command. */
    enum Step { CONNECT, LOGIN, SELECT, FETCH_HEADERS, FETCH_BODY, STORE, APPEND, SEARCH, LOGOUT }

    private static final Pattern SIZE = Pattern.compile("RFC822\\.SIZE (\\d+)", Pattern.CASE_INSENSITIVE);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final int KEPT_SAMPLES = 2_000_000;
    private static final int KEPT_ERRORS = 10;

    private final Options options;
    private final Accounts accounts;
    private final @Nullable SslContext tls;
    private final Map<Step, Samples> latencies = new EnumMap<>(Step.class);
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong loops = new AtomicLong();
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong appended = new AtomicLong();
    private final List<String> firstErrors = Collections.synchronizedList(new ArrayList<>());
    private final long measureFrom;
    private final long deadline;
    /** This process's CPU time at the start and end of the measured window, for CPU per command. */
    private final AtomicLong cpuAtStart = new AtomicLong(-1);
    private final AtomicLong cpuAtEnd = new AtomicLong(-1);

    private ImapLoad(Options options) {
        this.options = options;
        this.accounts = Accounts.read(options.accounts());
        this.tls = options.plain() ? null : ImapClient.tls(options.insecure() ? null : options.ca());
        for (Step step : Step.values()) {
            latencies.put(step, new Samples(KEPT_SAMPLES));
        }
        long now = System.nanoTime();
        this.measureFrom = now + Duration.ofSeconds(options.warmup()).toNanos();
        this.deadline = measureFrom + Duration.ofSeconds(options.seconds()).toNanos();
    }

    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ImapLoad: " + e.getMessage());
            System.err.println("usage: ImapLoad [--host H] --port P --accounts FILE [--clients N] [--seconds S]"
                    + " [--warmup S] [--ca PEM | --insecure | --plain] [--search WORD] [--max-errors N] [--max-loops N]"
                    + " [--label NAME] [--csv]");
            System.exit(2);
            return;
        }
        ImapLoad load = new ImapLoad(options);
        boolean clean = load.run();
        System.exit(clean ? 0 : 1);
    }

    private boolean run() {
        Duration bound = Duration.ofSeconds(options.warmup() + options.seconds()).plus(COMMAND_TIMEOUT.multipliedBy(12));
        Schedulers.parallel().schedule(() -> cpuAtStart.set(processCpuNanos()),
                Math.max(0, measureFrom - System.nanoTime()), TimeUnit.NANOSECONDS);
        Schedulers.parallel().schedule(() -> cpuAtEnd.set(processCpuNanos()),
                Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        Flux.range(0, options.clients())
                .flatMap(this::client, options.clients())
                .then()
                .block(bound);
        report(System.nanoTime());
        return errors.get() <= options.maxErrors();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private boolean running() {
        return System.nanoTime() < deadline && errors.get() <= options.maxErrors()
                && (options.maxLoops() == 0 || started.get() < options.maxLoops());
    }

    /** One client: sessions one after another until the time is up; a failed session is counted and retried. */
    private Mono<Void> client(int index) {
        Accounts.Account account = accounts.get(index);
        return Mono.defer(() -> running() ? session(account) : Mono.<Void>empty())
                .onErrorResume(e -> {
                    error(account, e);
                    return Mono.delay(Duration.ofMillis(100)).then();
                })
                .repeat(this::running)
                .then();
    }

    private void error(Accounts.Account account, Throwable e) {
        if (System.nanoTime() >= deadline) {
            return;  // cut off by the end of the run, not a server error
        }
        errors.incrementAndGet();
        if (firstErrors.size() < KEPT_ERRORS) {
            firstErrors.add(account.login() + ": " + e);
        }
    }

    private Mono<Void> session(Accounts.Account account) {
        started.incrementAndGet();
        return timed(Step.CONNECT, ImapClient.connect(options.host(), options.port(), tls, COMMAND_TIMEOUT))
                .flatMap(imap -> mix(imap, account).doFinally(signal -> imap.close()))
                .doOnSuccess(v -> loops.incrementAndGet());
    }

    private Mono<Void> mix(ImapClient imap, Accounts.Account account) {
        long loop = loops.get();
        return command(imap, Step.LOGIN, account.loginCommand())
                .then(command(imap, Step.SELECT, "SELECT INBOX"))
                .map(select -> {
                    long exists = select.untagged().stream().filter(r -> "EXISTS".equals(r.numberedKind()))
                            .mapToLong(ImapResponse::number).max().orElse(-1);
                    if (exists < 1) {
                        throw new IllegalStateException("SELECT INBOX reported " + exists + " messages (EXISTS): "
                                + "seed the accounts first");
                    }
                    if (select.untagged().stream().noneMatch(r -> r.text().contains("[UIDVALIDITY "))) {
                        throw new IllegalStateException("SELECT INBOX without UIDVALIDITY");
                    }
                    return exists;
                })
                .flatMap(exists -> {
                    int first = (int) Math.min(50, exists);
                    long chosen = ThreadLocalRandom.current().nextLong(1, exists + 1);
                    String word = options.search();
                    String search = loop % 2 == 0 ? "UID SEARCH SUBJECT " + word : "UID SEARCH BODY " + word;
                    return command(imap, Step.FETCH_HEADERS, "FETCH 1:" + first
                            + " (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM SUBJECT DATE)])")
                            .doOnNext(r -> checkHeaders(r, first))
                            .then(command(imap, Step.FETCH_BODY, "FETCH " + chosen + " (RFC822.SIZE BODY.PEEK[])"))
                            .doOnNext(r -> checkBody(r, chosen))
                            .then(command(imap, Step.STORE, "STORE " + chosen + " +FLAGS (\\Seen)"))
                            .doOnNext(r -> checkStore(r, chosen))
                            .then(timed(Step.APPEND, imap.append("INBOX", "(\\Seen)", message(account))))
                            .doOnNext(r -> expectOk(r, "APPEND"))
                            .then(command(imap, Step.SEARCH, search))
                            .doOnNext(r -> checkSearch(r, search));
                })
                .then(command(imap, Step.LOGOUT, "LOGOUT"))
                .doOnNext(r -> {
                    if (r.untagged().stream().noneMatch(u -> "BYE".equals(u.status()))) {
                        throw new IllegalStateException("LOGOUT without an untagged BYE (RFC 3501 §6.1.3)");
                    }
                })
                .then();
    }

    private Mono<Result> command(ImapClient imap, Step step, String command) {
        return timed(step, imap.command(command)).doOnNext(r -> expectOk(r, command));
    }

    private <T> Mono<T> timed(Step step, Mono<T> action) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return action.timeout(COMMAND_TIMEOUT).doOnNext(done -> {
                long end = System.nanoTime();
                if (start >= measureFrom && end <= deadline) {
                    latencies.get(step).add(end - start);
                }
            });
        });
    }

    private static void expectOk(Result result, String command) {
        if (!result.ok()) {
            throw new IllegalStateException(command.split(" ", 2)[0] + " answered: " + result.completion().text());
        }
    }

    /** One FETCH per message 1..first, each with UID, FLAGS, RFC822.SIZE and the header fields as a literal. */
    private static void checkHeaders(Result result, int first) {
        boolean[] seen = new boolean[first + 1];
        for (ImapResponse r : result.untagged()) {
            if (!"FETCH".equals(r.numberedKind()) || !r.text().toUpperCase(Locale.ROOT).contains("BODY[HEADER")) {
                continue;  // unsolicited FETCH FLAGS from another session may come along
            }
            long n = r.number();
            String upper = r.text().toUpperCase(Locale.ROOT);
            if (n < 1 || n > first || seen[(int) n] || !upper.contains("UID ") || !upper.contains("FLAGS (")
                    || !upper.contains("RFC822.SIZE ") || r.literals().size() != 1
                    || !r.literalText(0).toLowerCase(Locale.ROOT).contains("subject:")) {
                throw new IllegalStateException("implausible header FETCH: " + r.text());
            }
            seen[(int) n] = true;
        }
        for (int n = 1; n <= first; n++) {
            if (!seen[n]) {
                throw new IllegalStateException("FETCH 1:" + first + " returned no header fields for message " + n);
            }
        }
    }

    /** The whole message, as long as the size the server reports for it. */
    private static void checkBody(Result result, long chosen) {
        for (ImapResponse r : result.untagged()) {
            if ("FETCH".equals(r.numberedKind()) && r.number() == chosen && r.literals().size() == 1) {
                Matcher size = SIZE.matcher(r.text());
                if (!size.find() || Long.parseLong(size.group(1)) != r.literals().get(0).length) {
                    throw new IllegalStateException("BODY[] of " + r.literals().get(0).length + " octets but "
                            + r.text());
                }
                return;
            }
        }
        throw new IllegalStateException("FETCH " + chosen + " BODY.PEEK[] returned no literal");
    }

    /**
     * RFC 3501 §6.4.6: a STORE that is not .SILENT SHOULD answer with the message's new flags; Dovecot leaves the
     * FETCH out when the flag was already set (an APPENDed message has \Seen). So: any FETCH for the message must
     * show \Seen, and none at all is accepted.
     */
    private static void checkStore(Result result, long chosen) {
        for (ImapResponse r : result.untagged()) {
            if ("FETCH".equals(r.numberedKind()) && r.number() == chosen && r.text().contains("FLAGS (")
                    && !r.text().contains("\\Seen")) {
                throw new IllegalStateException("STORE " + chosen + " +FLAGS (\\Seen) answered " + r.text());
            }
        }
    }

    /** Every seeded message holds the word in its subject and body, so the result cannot be empty. */
    private static void checkSearch(Result result, String command) {
        for (ImapResponse r : result.untagged()) {
            String[] words = r.text().split(" ");
            if (words.length > 2 && "SEARCH".equalsIgnoreCase(words[1])) {
                for (int i = 2; i < words.length; i++) {
                    if (!words[i].chars().allMatch(Character::isDigit)) {
                        throw new IllegalStateException("not a UID in SEARCH: " + r.text());
                    }
                }
                return;
            }
        }
        throw new IllegalStateException(command + " found nothing");
    }

    private byte[] message(Accounts.Account account) {
        long n = appended.incrementAndGet();
        String text = "From: <load@client.bench.example>\r\n"
                + "To: <" + account.address() + ">\r\n"
                + "Subject: " + options.search() + " appended " + n + "\r\n"
                + "Message-ID: <append-" + n + "-" + System.nanoTime() + "@client.bench.example>\r\n"
                + "Date: Sun, 29 Nov 2026 12:00:00 +0000\r\n"
                + "\r\n"
                + "A small message appended by ImapLoad; it mentions " + options.search() + " once.\r\n";
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private void report(long finished) {
        // The measured window: to the deadline, or to the end when --max-loops ended the run earlier.
        double seconds = Math.max(1e-3, (Math.min(finished, deadline) - measureFrom) / 1e9);
        long commands = 0;
        for (Step step : Step.values()) {
            if (step != Step.CONNECT) {
                commands += latencies.get(step).count();
            }
        }
        double rate = commands / seconds;
        // The client's own CPU per command in the measured window: TLS handshakes and parsing cost the client
        // too, and on a shared machine that is CPU the server did not get.
        cpuAtEnd.compareAndSet(-1, processCpuNanos());  // the last clients may finish before the scheduled reading
        double clientCpu = cpuAtStart.get() < 0 || commands == 0 ? Double.NaN
                : (cpuAtEnd.get() - cpuAtStart.get()) / 1e6 / commands;
        if (options.csv()) {
            // label,clients,step,count,per_s,p50_ms,p99_ms,max_ms,errors,client_cpu_ms_per_cmd
            for (Step step : Step.values()) {
                long[] sorted = latencies.get(step).sorted();
                System.out.printf(Locale.ROOT, "%s,%d,%s,%d,%.1f,%.2f,%.2f,%.2f,%d,%n", options.label(),
                        options.clients(), step.name().toLowerCase(Locale.ROOT), latencies.get(step).count(),
                        latencies.get(step).count() / seconds, Samples.percentileMillis(sorted, 50),
                        Samples.percentileMillis(sorted, 99), sorted.length == 0 ? Double.NaN
                                : sorted[sorted.length - 1] / 1e6, errors.get());
            }
            System.out.printf(Locale.ROOT, "%s,%d,all,%d,%.1f,,,,%d,%.2f%n", options.label(), options.clients(),
                    commands, rate, errors.get(), clientCpu);
        } else {
            System.out.printf(Locale.ROOT, "%s: %d clients, %d accounts, %.1f s measured after %d s warm-up: "
                            + "%d commands = %.1f commands/s, %d sessions completed, %d errors; client CPU %.2f ms"
                            + " per command%n", options.label(), options.clients(), accounts.size(), seconds,
                    options.warmup(), commands, rate, loops.get(), errors.get(), clientCpu);
            System.out.printf(Locale.ROOT, "  %-14s %8s %9s %9s %9s%n", "step", "count", "p50 ms", "p99 ms", "max ms");
            for (Step step : Step.values()) {
                long[] sorted = latencies.get(step).sorted();
                System.out.printf(Locale.ROOT, "  %-14s %8d %9.2f %9.2f %9.2f%n", step.name().toLowerCase(Locale.ROOT),
                        latencies.get(step).count(), Samples.percentileMillis(sorted, 50),
                        Samples.percentileMillis(sorted, 99),
                        sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6);
            }
        }
        for (String error : firstErrors) {
            System.err.println("ImapLoad error: " + error);
        }
    }

    /** Command-line settings, validated. */
    record Options(String host, int port, Path accounts, int clients, int seconds, int warmup, @Nullable File ca,
                   boolean insecure, boolean plain, String search, long maxErrors, long maxLoops, String label,
                   boolean csv) {
        Options {
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("--port must be 1..65535");
            }
            if (clients < 1 || clients > 10_000) {
                throw new IllegalArgumentException("--clients must be 1..10000");
            }
            if (seconds < 1 || seconds > 3600 || warmup < 0 || warmup > 600) {
                throw new IllegalArgumentException("--seconds must be 1..3600 and --warmup 0..600");
            }
            if (ca != null && (insecure || plain)) {
                throw new IllegalArgumentException("--ca goes with TLS: not with --insecure or --plain");
            }
            if (ca == null && !insecure && !plain) {
                throw new IllegalArgumentException("TLS needs --ca PEM (the server's certificate) or --insecure");
            }
            if (!search.matches("[A-Za-z0-9]{1,40}")) {
                throw new IllegalArgumentException("--search must be one word of letters and digits");
            }
            if (maxErrors < 0 || maxLoops < 0) {
                throw new IllegalArgumentException("--max-errors and --max-loops must not be negative");
            }
            if (label.isEmpty() || label.contains(",")) {
                throw new IllegalArgumentException("--label must be non-empty without commas");
            }
        }

        static Options parse(String[] args) {
            String host = "127.0.0.1";
            int port = 0;
            Path accounts = null;
            int clients = 10;
            int seconds = 30;
            int warmup = 5;
            File ca = null;
            boolean insecure = false;
            boolean plain = false;
            String search = "hatoload";
            long maxErrors = 0;
            long maxLoops = 0;
            String label = "server";
            boolean csv = false;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--insecure" -> insecure = true;
                    case "--plain" -> plain = true;
                    case "--csv" -> csv = true;
                    case "--host", "--port", "--accounts", "--clients", "--seconds", "--warmup", "--ca", "--search",
                            "--max-errors", "--max-loops", "--label" -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(arg + " needs a value");
                        }
                        String value = args[++i];
                        switch (arg) {
                            case "--host" -> host = value;
                            case "--port" -> port = number(arg, value);
                            case "--accounts" -> accounts = Path.of(value);
                            case "--clients" -> clients = number(arg, value);
                            case "--seconds" -> seconds = number(arg, value);
                            case "--warmup" -> warmup = number(arg, value);
                            case "--ca" -> ca = new File(value);
                            case "--search" -> search = value;
                            case "--max-errors" -> maxErrors = number(arg, value);
                            case "--max-loops" -> maxLoops = number(arg, value);
                            default -> label = value;
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown argument " + arg);
                }
            }
            if (accounts == null) {
                throw new IllegalArgumentException("--accounts FILE is required (login<TAB>password per line)");
            }
            return new Options(host, port, accounts, clients, seconds, warmup, ca, insecure, plain, search, maxErrors,
                    maxLoops, label, csv);
        }

        static int number(String name, String value) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a number, not '" + value + "'");
            }
        }
    }
}
