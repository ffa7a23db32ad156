package dev.hato.app;

import dev.hato.legacy.LegacyTls;
import dev.hato.migration.ImapCopy;
import dev.hato.migration.ImportReport;
import dev.hato.migration.MailImport;
import dev.hato.migration.PersonMigration;
import dev.hato.store.directory.Account;
import dev.hato.store.legacy.LegacyBackend;
import dev.hato.store.legacy.LegacyBackends;
import dev.hato.store.legacy.MigrationStatus;
import dev.hato.store.legacy.Route;
import dev.hato.store.legacy.Throttle;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.springframework.util.unit.DataSize;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@code hato migrate}: a person's mail copied from the old system's IMAP server (issue 17), UIDVALIDITY and UIDs
 * kept, so that their clients download nothing again after the switch (docs/migration.md).
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Copy people's mail from the old system's IMAP server, UIDs kept (see docs/migration.md).")
final class MigrateCommand {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String WHICH_SYSTEM = "The old system is --legacy NAME, else the one the person's route "
            + "names (while it is syncing: the one their migration copies from). Logs in there as the system's master "
            + "user acting for the person (their login there: hato legacy login), or with --password-stdin as the "
            + "person.";

    /** Who holds a person's migration while this command works on them (hato migrate status shows no owner). */
    private static final String HOST = host();
    private static final String LOCK_OWNER = "hato migrate (process " + ProcessHandle.current().pid() + " on " + HOST
            + ")";
    private static final java.util.regex.Pattern LOCK_FORM =
            java.util.regex.Pattern.compile("hato migrate \\(process (\\d+) on (.+)\\)");
    /** The lease on a person's migration, renewed every third of it while the command works on them. */
    private static final Duration LOCK_LEASE = Duration.ofMinutes(2);

    private final InputStream in;
    /** Per old system with a connection limit: the connections this command may still open to it. */
    private final Map<String, java.util.concurrent.Semaphore> connections =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** The people whose migration this command holds now, for the renewals. */
    private final java.util.Set<Long> locked = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The person's password there, once read (--password-stdin). */
    private @Nullable String password;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    StoreOptions store = new StoreOptions();

    MigrateCommand(InputStream in) {
        this.in = in;
    }

    /** For picocli's own factory (help output); {@code hato} itself passes its standard input. */
    MigrateCommand() {
        this(System.in);
    }

    @Command(name = "copy", description = {
            "One pass of copying a person's folders from the old system's IMAP server into Hato: the folder tree, "
                    + "subscriptions, and every message with its flags, keywords and internal date, each folder's "
                    + "UIDVALIDITY and every UID kept. A pass after an interrupted one, or a later pass while the "
                    + "person still uses the old system, copies only what is new.",
            WHICH_SYSTEM, "Exit status 0 when everything was copied, 1 when something was refused (listed)."})
    int copy(@Parameters(paramLabel = "AUTH_ID_OR_ADDRESS", arity = "0..1") @Nullable String who,
            @Mixin Options options)
            throws IOException, GeneralSecurityException {
        return run(who, options, (job, out) -> {
            ImportReport report = job.person.pass(options.notify);
            MailImportCommand.print(out, job.account, report, false, options.json);
            return report.refused() == 0;
        });
    }

    @Command(name = "start", description = {
            "Hand people's migration to the running server: it makes a pass of copying now and another every "
                    + "hato.migration.pass-interval while their route names the old system, up to "
                    + "hato.migration.parallel people at once; hato migrate status shows where each stands.",
            "With --cutover-when-verified, a pass that copied everything is verified (hato migrate verify) and, when "
                    + "every message is there, the person is moved (hato migrate cutover) by the server itself.",
            "The old system is --legacy NAME, else the one the person's route names. The server logs in there as "
                    + "its master user; for a system without one, with the password the person gives at their next "
                    + "IMAP or POP3 login through Hato (kept in memory only, until they are moved)."})
    int start(@Parameters(paramLabel = "AUTH_ID_OR_ADDRESS", arity = "0..1") @Nullable String who,
              @Mixin Options options,
              @Option(names = "--cutover-when-verified", description = "Move each person once a pass is verified.")
              boolean cutoverWhenVerified) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (options.passwordStdin) {
            throw new IllegalArgumentException("the server logs in as the master user, or with the password of "
                    + "the person's next login: --password-stdin is for copy, verify and cutover");
        }
        choiceOfPeople(who, options);
        try (CliContext context = store.open()) {
            LegacyBackends backends = context.store().legacyBackends();
            List<Account> people = people(context, who, options);
            for (Account account : people) {
                String name = options.legacy;
                Route route = backends.route(account.id()).block();
                if (route == null || route.equals(Route.LOCAL)) {
                    throw new IllegalArgumentException("the route of " + account.address() + " is local: Hato "
                            + "serves them already (hato route set ADDRESS legacy NAME first)");
                }
                if (name == null) {
                    if (!route.isLegacy()) {
                        throw new IllegalArgumentException("the route of " + account.address() + " is "
                                + route.label() + ": give --legacy NAME");
                    }
                    name = route.backend();
                } else if (route.isLegacy() && !name.equals(route.backend())) {
                    throw new IllegalArgumentException("the route of " + account.address() + " names "
                            + route.backend() + ", not " + name);
                }
                LegacyBackend backend = LegacyCommand.find(context, name);
                backends.startMigration(account.id(), backend.name(), cutoverWhenVerified, options.notify).block();
                out.println(account.address() + ": started from " + backend.name()
                        + (cutoverWhenVerified ? ", moved once verified" : "")
                        + (backend.masterUser() == null ? " (no master user there: copies once they log in)" : ""));
            }
        }
        out.flush();
        return 0;
    }

    @Command(name = "stop", description = "Stop the server's passes for people (hato migrate start); their route "
            + "and what was copied stay as they are.")
    int stop(@Parameters(paramLabel = "AUTH_ID_OR_ADDRESS", arity = "0..1") @Nullable String who,
             @Mixin Options options) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        choiceOfPeople(who, options);
        try (CliContext context = store.open()) {
            for (Account account : people(context, who, options)) {
                boolean stopped = Boolean.TRUE.equals(context.store().legacyBackends().stopMigration(account.id())
                        .block());
                out.println(account.address() + ": " + (stopped ? "stopped" : "was not running in the server"));
            }
        }
        out.flush();
        return 0;
    }

    @Command(name = "cutover", description = {
            "Move a person from the old system to Hato: a pass of copying; then their route becomes syncing (mail "
                    + "for them lands in Hato, their logins are Hato's); mail for them that was queued for the old "
                    + "MTA before gets there (up to --queue-wait); a last pass brings what reached the old server "
                    + "meanwhile; then their route becomes local. Before the switch, their Sieve scripts (filters, "
                    + "vacation) are carried over from the old ManageSieve server when the system has one.",
            WHICH_SYSTEM, "Exit status 0 when everything was copied, 1 when something was refused or is still "
                    + "queued for the old MTA (the route is then left at syncing: run it again)."})
    int cutover(@Parameters(paramLabel = "AUTH_ID_OR_ADDRESS", arity = "0..1") @Nullable String who,
            @Mixin Options options,
            @Option(names = "--queue-wait", paramLabel = "DURATION", defaultValue = "60s", description = "How long "
                    + "to wait for mail queued for the old MTA to get there (default 60s; e.g. 5m).")
            String queueWait)
            throws IOException, GeneralSecurityException {
        Duration wait = org.springframework.boot.convert.DurationStyle.detectAndParse(queueWait);
        if (wait.isNegative()) {
            throw new IllegalArgumentException("--queue-wait must not be negative");
        }
        return run(who, options, (job, out) -> {
            PersonMigration.Cutover outcome = job.person.cutover(options.notify, wait,
                    report -> MailImportCommand.print(out, job.account, report, false, options.json),
                    note -> out.println(job.account.address() + ": " + note));
            if (outcome == PersonMigration.Cutover.REFUSED) {
                out.println("route of " + job.account.address() + ": syncing (something was refused; run cutover "
                        + "again)");
                return false;
            }
            if (outcome == PersonMigration.Cutover.QUEUED) {
                out.println("route of " + job.account.address() + ": syncing (mail for them queued for the MTA of "
                        + job.backend.name() + " is not there yet: hato queue list; run cutover again once it is)");
                return false;
            }
            out.println("route of " + job.account.address() + ": local (moved from " + job.backend.name() + ")");
            return true;
        });
    }

    @Command(name = "verify", description = {
            "Compare a person's folders on the old server with Hato's: every message must be in the same folder "
                    + "under the same UID with the same octets (SHA-256). One line per folder, and each message "
                    + "missing or different, by UID.",
            WHICH_SYSTEM, "Exit status 0 when every message was verified, 1 otherwise."})
    int verify(@Parameters(paramLabel = "AUTH_ID_OR_ADDRESS", arity = "0..1") @Nullable String who,
            @Mixin Options options)
            throws IOException, GeneralSecurityException {
        return run(who, options, (job, out) -> {
            ImportReport report = job.person.verify(job.context.store().blobs());
            for (ImportReport.Folder folder : report.folders()) {
                out.println(folder.source() + (folder.source().equals(folder.target()) ? "" : " -> "
                        + folder.target()) + ": " + folder.found() + " on " + job.backend.name() + ", "
                        + folder.imported() + " verified, " + folder.refused() + " missing or different");
                for (ImportReport.Refusal refusal : folder.refusals()) {
                    out.println("  " + refusal.origin() + ": " + refusal.reason());
                }
            }
            out.println(job.account.address() + ": " + report.found() + " messages, " + report.imported()
                    + " verified, " + report.refused() + " missing or different");
            return report.refused() == 0;
        });
    }

    @Command(name = "rollback", description = {
            "Move a person back to the old system: their route becomes legacy NAME again (mail for them goes there, "
                    + "their logins are passed on there), then what arrived in Hato since they moved is copied back "
                    + "into the same folders there, with flags and dates; a message the old folder holds already "
                    + "(same Message-ID) is not copied twice.",
            "--legacy NAME names the old system. Exit status 0 when everything was copied back."})
    int rollback(@Parameters(paramLabel = "AUTH_ID_OR_ADDRESS", arity = "0..1") @Nullable String who,
            @Mixin Options options)
            throws IOException, GeneralSecurityException {
        if (options.legacy == null) {
            throw new IllegalArgumentException("give the old system to go back to: --legacy NAME");
        }
        return run(who, options, (job, out) -> {
            job.backends.setRoute(job.account.id(), Route.legacy(job.backend.name())).block();
            out.println("route of " + job.account.address() + ": legacy:" + job.backend.name());
            ImportReport report = job.copier.copyBack(job.account.id(), job.backend.imap(), job.trust, TIMEOUT,
                    job.login, job.context.store().blobs());
            job.person.record("rolled-back", false, 0, 0);
            for (ImportReport.Folder folder : report.folders()) {
                out.println(folder.source() + " -> " + folder.target() + " on " + job.backend.name() + ": "
                        + folder.found() + " arrived in Hato, " + folder.imported() + " copied back, "
                        + folder.skipped() + " there already");
            }
            return true;
        });
    }

    @Command(name = "copy-back", description = {
            "Copy what arrived in Hato between --since and --until (default: now) to the old system: every message "
                    + "of the person's folders with an internal date in that window, with its flags and date, into "
                    + "the folder of the same name there, or all into --folder NAME (created when missing), or "
                    + "into INBOX with --inbox (for people who read their mail by POP3). A message the target folder "
                    + "holds already (the same octets) is not copied twice.",
            "TIME: 2026-09-15, 2026-09-15T09:00 (this machine's time zone) or 2026-09-15T00:00:00Z."})
    int copyBack(@Parameters(paramLabel = "AUTH_ID_OR_ADDRESS", arity = "0..1") @Nullable String who,
                 @Mixin Options options,
                 @Option(names = "--since", required = true, paramLabel = "TIME") String since,
                 @Option(names = "--until", paramLabel = "TIME") @Nullable String until,
                 @Option(names = "--folder", paramLabel = "NAME") @Nullable String folder,
                 @Option(names = "--inbox", description = "Into the old INBOX.") boolean inbox)
            throws IOException, GeneralSecurityException {
        if (folder != null && inbox) {
            throw new IllegalArgumentException("give --folder NAME or --inbox, not both");
        }
        Instant from = time(since);
        Instant to = until == null ? null : time(until);
        String target = inbox ? "INBOX" : folder;
        return run(who, options, (job, out) -> {
            ImportReport report = job.copier.copyBack(job.account.id(), job.backend.imap(), job.trust, TIMEOUT,
                    job.login, job.context.store().blobs(), from, to, target);
            for (ImportReport.Folder each : report.folders()) {
                out.println(each.source() + " -> " + each.target() + " on " + job.backend.name() + ": "
                        + each.found() + " in the window, " + each.imported() + " copied back, " + each.skipped()
                        + " there already");
            }
            out.println(job.account.address() + ": " + report.found() + " in the window, " + report.imported()
                    + " copied back, " + report.skipped() + " there already");
            return true;
        });
    }

    /** An instant, a local date-time or a date (its midnight) in this machine's time zone. */
    static Instant time(String text) {
        try {
            return Instant.parse(text);
        } catch (java.time.format.DateTimeParseException notInstant) {
            try {
                return java.time.LocalDateTime.parse(text).atZone(ZoneId.systemDefault()).toInstant();
            } catch (java.time.format.DateTimeParseException notLocal) {
                try {
                    return java.time.LocalDate.parse(text).atStartOfDay(ZoneId.systemDefault()).toInstant();
                } catch (java.time.format.DateTimeParseException notDate) {
                    throw new IllegalArgumentException("not a time: " + text + " (2026-09-15, 2026-09-15T09:00 or "
                            + "2026-09-15T00:00:00Z)");
                }
            }
        }
    }

    /** What every subcommand takes besides the person. */
    static final class Options {
        @Option(names = "--domain", paramLabel = "DOMAIN", description = "Everyone in DOMAIN whose route names an "
                + "old system (--legacy NAME: that one), instead of one person.")
        @Nullable String domain;

        @Option(names = "--csv", paramLabel = "FILE", description = "The people in FILE (an address or auth ID in "
                + "the first column of each line; a header line 'address' and lines starting with # are skipped).")
        @Nullable Path csv;

        @Option(names = "--parallel", paramLabel = "N", defaultValue = "1", description = "People worked on at "
                + "once (each holds one connection to the old IMAP server; default 1).")
        int parallel;

        @Option(names = "--legacy", paramLabel = "NAME", description = "The old system (default: the route's).")
        @Nullable String legacy;

        @Option(names = "--password-stdin", description = "Log in as the person with their password there, read "
                + "from standard input (for a system without a master user).")
        boolean passwordStdin;

        @Option(names = "--max-size", paramLabel = "SIZE", description = "Refuse messages larger than SIZE "
                + "(default: hato.imap.append-limit).")
        @Nullable String maxSize;

        @Option(names = "--json", description = "The report as one JSON array of objects, one per folder.")
        boolean json;

        @Option(names = "--max-rate", paramLabel = "SIZE", description = "What each person's connection reads from "
                + "the old IMAP server per second, at most (e.g. 2MB); with --parallel N the old server gives N times "
                + "that. Default: the old system's throttle (hato legacy throttle), else no limit; the lower of the "
                + "two when both are set.")
        @Nullable String maxRate;

        @Option(names = "--notify", description = "Tell the person by mail: when their first pass starts (in their "
                + "old INBOX) and when the cutover is done (in Hato). Japanese and English, from the templates "
                + "notice-start.txt and notice-done.txt (see --notice-dir).")
        boolean notify;

        @Option(names = "--notice-dir", paramLabel = "DIR", description = "Templates of your own for --notify: "
                + "notice-start.txt, notice-done.txt (a Subject: line, an empty line, the text; {name}, {address}, "
                + "{host}, {date}, {messages} are filled in).")
        @Nullable Path noticeDir;
    }

    /** One person's migration work: their account, the old system, the login there, the copier, the steps. */
    private record Job(CliContext context, Account account, LegacyBackends backends, LegacyBackend backend,
                       ImapCopy.Login login, SSLContext trust, ImapCopy copier, PersonMigration person) { }

    private interface Work {
        boolean run(Job job, PrintWriter out) throws IOException;
    }

    /**
     * Runs {@code work} for each person chosen (one, a domain's, a CSV's), {@code --parallel} at a time; one
     * person's failure is reported and recorded, and the others go on. Each person's output is printed whole.
     */
    private int run(@Nullable String who, Options options, Work work) throws IOException, GeneralSecurityException {
        PrintWriter out = spec.commandLine().getOut();
        choiceOfPeople(who, options);
        if (options.parallel < 1 || options.parallel > 64) {
            throw new IllegalArgumentException("--parallel is 1 to 64");
        }
        boolean ok = true;
        try (CliContext context = store.open()) {
            List<Account> people = people(context, who, options);
            HatoProperties properties = context.properties();
            long limit = options.maxSize == null ? properties.imap().appendLimit().toBytes()
                    : DataSize.parse(options.maxSize.replace(" ", "")).toBytes();
            Path spool = Files.createDirectories(properties.dataDir().resolve("spool"))
                    .resolve("migrate-" + ProcessHandle.current().pid());
            Scheduler io = Schedulers.newBoundedElastic(2 * options.parallel, 1000, "hato-migrate");
            ExecutorService workers = Executors.newFixedThreadPool(options.parallel);
            MigrationProgress progress = new MigrationProgress(spec.commandLine().getErr(), people.size(),
                    System.console() != null);
            java.util.concurrent.ScheduledExecutorService renewals =
                    Executors.newSingleThreadScheduledExecutor(runnable -> {
                        Thread thread = new Thread(runnable, "hato-migrate-lease");
                        thread.setDaemon(true);
                        return thread;
                    });
            LegacyBackends backends = context.store().legacyBackends();
            renewals.scheduleAtFixedRate(() -> locked.forEach(id -> backends.lock(id, LOCK_OWNER, LOCK_LEASE)
                    .onErrorResume(ignored -> reactor.core.publisher.Mono.empty()).block()),
                    LOCK_LEASE.toSeconds() / 3, LOCK_LEASE.toSeconds() / 3, java.util.concurrent.TimeUnit.SECONDS);
            try {
                ImapCopy copier = new ImapCopy(context.store().mailboxes(), context.store().keptUids(),
                        DeliveryWiring.indexer(), io, new MailImport.Settings(limit, spool,
                        properties.message().limits(), false), Clock.systemUTC(),
                        options.maxRate == null ? 0 : DataSize.parse(options.maxRate.replace(" ", "")).toBytes())
                        .onStored(progress::stored);
                List<Future<Outcome>> outcomes = new ArrayList<>();
                for (Account account : people) {
                    outcomes.add(workers.submit(() -> {
                        try {
                            return person(context, account, options, copier, work);
                        } finally {
                            progress.personDone();
                        }
                    }));
                }
                for (Future<Outcome> outcome : outcomes) {
                    Outcome done = outcome.get();
                    out.print(done.printed());
                    ok &= done.ok();
                }
                if (people.size() > 1) {
                    out.println(people.size() + " people, " + outcomes.stream().filter(f -> {
                        try {
                            return f.get().ok();
                        } catch (InterruptedException | ExecutionException e) {
                            return false;
                        }
                    }).count() + " without a problem");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
            } finally {
                workers.shutdownNow();
                renewals.shutdownNow();
                progress.close();
                io.dispose();
                MailImportCommand.removeSpool(spool);
            }
        }
        out.flush();
        return ok ? 0 : 1;
    }

    private static void choiceOfPeople(@Nullable String who, Options options) {
        if ((who != null ? 1 : 0) + (options.domain != null ? 1 : 0) + (options.csv != null ? 1 : 0) != 1) {
            throw new IllegalArgumentException("give one person (AUTH_ID_OR_ADDRESS), --domain DOMAIN or --csv FILE");
        }
    }

    private record Outcome(boolean ok, String printed) { }

    private Outcome person(CliContext context, Account account, Options options, ImapCopy copier, Work work) {
        StringWriter printed = new StringWriter();
        PrintWriter out = new PrintWriter(printed);
        LegacyBackends backends = context.store().legacyBackends();
        String holder = backends.lock(account.id(), LOCK_OWNER, LOCK_LEASE).block();
        if (holder != null && !LOCK_OWNER.equals(holder) && gone(holder)
                && Boolean.TRUE.equals(backends.takeOver(account.id(), holder, LOCK_OWNER, LOCK_LEASE).block())) {
            holder = LOCK_OWNER; // a command on this machine that was killed: its lease would keep the person waiting
        }
        if (!LOCK_OWNER.equals(holder)) {
            out.println(account.address() + ": not now: " + (holder == null || holder.isEmpty() ? "another worker"
                    : holder) + " is working on their migration; try again when it is done");
            out.flush();
            return new Outcome(false, printed.toString());
        }
        locked.add(account.id());
        try {
            return locked(context, account, options, copier, work, printed, out);
        } finally {
            locked.remove(account.id());
            backends.unlock(account.id(), LOCK_OWNER).onErrorResume(ignored -> reactor.core.publisher.Mono.empty())
                    .block();
        }
    }

    /** Whether {@code holder} is a {@code hato migrate} of this machine whose process no longer runs. */
    static boolean gone(String holder) {
        java.util.regex.Matcher own = LOCK_FORM.matcher(holder);
        return own.matches() && own.group(2).equals(HOST) && ProcessHandle.of(Long.parseLong(own.group(1)))
                .map(process -> !process.isAlive()).orElse(true);
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    /** {@link #person}, once this command holds the lease on the person's migration. */
    private Outcome locked(CliContext context, Account account, Options options, ImapCopy copier, Work work,
                           StringWriter printed, PrintWriter out) {
        LegacyBackends backends = context.store().legacyBackends();
        String name = options.legacy;
        try {
            if (name == null) {
                Route route = backends.route(account.id()).block();
                MigrationStatus recorded = backends.migration(account.id()).block();
                if (route != null && route.isLegacy()) {
                    name = route.backend();
                } else if (Route.SYNCING.equals(route) && recorded != null) {
                    name = recorded.backend(); // a cutover that stopped half-way: the system it moves them from
                } else {
                    throw new IllegalArgumentException("the route of " + account.address() + " names no old system:"
                            + " give --legacy NAME");
                }
            }
            LegacyBackend backend = LegacyCommand.find(context, name);
            Throttle throttle = backends.throttle(backend.name()).defaultIfEmpty(Throttle.NONE).block();
            java.util.concurrent.Semaphore connections = throttle.maxConnections() == null ? null
                    : this.connections.computeIfAbsent(backend.name(),
                            system -> new java.util.concurrent.Semaphore(throttle.maxConnections()));
            if (connections != null) {
                connections.acquireUninterruptibly(); // the old system's throttle: --parallel may be more
            }
            try {
                return throttled(context, account, options, copier.throttled(throttle.maxRate() == null ? 0
                        : throttle.maxRate()), work, printed, out, backend);
            } finally {
                if (connections != null) {
                    connections.release();
                }
            }
        } catch (RuntimeException e) {
            return failed(account, name, e, backends, printed, out);
        }
    }

    /** The person's work, within the old system's throttle. */
    private Outcome throttled(CliContext context, Account account, Options options, ImapCopy copier, Work work,
                              StringWriter printed, PrintWriter out, LegacyBackend backend) {
        LegacyBackends backends = context.store().legacyBackends();
        String name = backend.name();
        try {
            String login = backends.login(account.id()).defaultIfEmpty(account.address()).block();
            ImapCopy.Login credentials = PersonMigration.login(backend, login,
                    options.passwordStdin ? null : LegacyCommand.masterPassword(context, backend),
                    options.passwordStdin ? password() : null);
            SSLContext trust = LegacyTls.context(backend);
            PersonMigration steps = new PersonMigration(new PersonMigration.Person(account.id(), account.address(),
                    account.displayName()), backends, backend, credentials, trust, copier,
                    context.properties().hostName(), options.noticeDir, context.store().sieveScripts());
            boolean ok = work.run(new Job(context, account, backends, backend, credentials, trust, copier, steps),
                    out);
            out.flush();
            return new Outcome(ok, printed.toString());
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            return failed(account, name, e, backends, printed, out);
        }
    }

    /** A person's work that failed: said, and recorded in their migration when the old system is known. */
    private static Outcome failed(Account account, @Nullable String name, Exception e, LegacyBackends backends,
                                  StringWriter printed, PrintWriter out) {
        String reason = e.getMessage() == null ? e.toString() : e.getMessage();
        out.println(account.address() + ": failed: " + reason);
        if (name != null && LegacyBackend.validName(name)) {
            backends.recordMigration(account.id(), name, "failed", false, 0, 0, reason)
                    .onErrorResume(ignored -> reactor.core.publisher.Mono.empty()).block();
        }
        out.flush();
        return new Outcome(false, printed.toString());
    }

    /** The person's password on the old system, read once from standard input (one person only). */
    private synchronized String password() throws IOException {
        if (password == null) {
            password = SettingsCommand.masterPassword(in);
        }
        return password;
    }

    /** The people chosen: one, everyone of a domain routed to an old system (the one named), or a CSV's. */
    private static List<Account> people(CliContext context, @Nullable String who, Options options)
            throws IOException {
        if (who != null) {
            return List.of(UserCommand.findAccount(context, who));
        }
        if (options.passwordStdin) {
            throw new IllegalArgumentException("--password-stdin is for one person");
        }
        if (options.domain != null) {
            List<Account> all = context.store().directory().accounts(options.domain.trim().toLowerCase(Locale.ROOT))
                    .collectList().block();
            Map<Long, Route> routes = context.store().legacyBackends()
                    .routes(all.stream().map(Account::id).toList()).block();
            return all.stream().filter(account -> {
                Route route = routes.get(account.id());
                return route != null && route.isLegacy()
                        && (options.legacy == null || options.legacy.equals(route.backend()));
            }).toList();
        }
        List<Account> people = new ArrayList<>();
        for (String line : Files.readAllLines(options.csv)) {
            String first = line.split(",", 2)[0].trim();
            if (first.isEmpty() || first.startsWith("#") || first.equalsIgnoreCase("address")) {
                continue;
            }
            people.add(UserCommand.findAccount(context, first));
        }
        return people;
    }

    @Command(name = "status", description = "Where each person's migration stands: the old system, the state "
            + "(queued, copying, copied, failed, moved, rolled-back), passes, messages copied and refused, the last "
            + "verification and error, and whether the server makes the passes (hato migrate start).")
    int status(@Option(names = "--domain", paramLabel = "DOMAIN") @Nullable String domain,
               @Option(names = "--json", description = "One JSON array of objects, one per person.") boolean json) {
        PrintWriter out = spec.commandLine().getOut();
        try (CliContext context = store.open()) {
            List<MigrationStatus> rows = context.store().legacyBackends()
                    .migrations(domain == null ? null : domain.trim().toLowerCase(Locale.ROOT)).collectList().block();
            if (json) {
                JsonOutput.print(out, rows.stream().map(row -> JsonOutput.row("address", row.address(), "legacy",
                        row.backend(), "state", row.state(), "passes", row.passes(), "copied", row.copied(),
                        "refused", row.refused(), "verified", row.verified(), "last_error", row.lastError(),
                        "started", row.startedAt().toString(), "updated", row.updatedAt().toString(),
                        "in_server", row.background(), "cutover_when_verified", row.cutoverWhenVerified(),
                        "next_pass", row.nextPassAt() == null ? null : row.nextPassAt().toString())).toList());
            } else if (rows.isEmpty()) {
                out.println("no migrations yet");
            } else {
                for (MigrationStatus row : rows) {
                    out.println(row.address() + "\t" + row.backend() + "\t" + row.state() + "\t" + row.passes()
                            + " passes, " + row.copied() + " copied, " + row.refused() + " refused, "
                            + (row.verified() == null ? "not verified" : row.verified() ? "verified"
                            : "verification FAILED") + "\tupdated " + row.updatedAt()
                            + (row.background() ? "\tin the server, next pass " + row.nextPassAt()
                            + (row.cutoverWhenVerified() ? ", moved once verified" : "") : "")
                            + (row.lastError() == null ? "" : "\t" + row.lastError()));
                }
                Map<String, Long> byState = new TreeMap<>();
                rows.forEach(row -> byState.merge(row.state(), 1L, Long::sum));
                out.println(rows.size() + " people: " + byState);
            }
        }
        out.flush();
        return 0;
    }
}
