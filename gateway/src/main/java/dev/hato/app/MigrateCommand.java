package dev.hato.app;

import dev.hato.legacy.LegacyTls;
import dev.hato.migration.ImapCopy;
import dev.hato.migration.ImportReport;
import dev.hato.migration.MailImport;
import dev.hato.store.directory.Account;
import dev.hato.store.legacy.LegacyBackend;
import dev.hato.store.legacy.LegacyBackends;
import dev.hato.store.legacy.Route;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
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
            + "names. Logs in there as the system's master user acting for the person (their login there: hato "
            + "legacy login), or with --password-stdin as the person.";

    private final InputStream in;

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
    int copy(@Parameters(paramLabel = "AUTH_ID_OR_ADDRESS") String who, @Mixin Options options)
            throws IOException, GeneralSecurityException {
        return run(who, options, (job, out) -> {
            ImportReport report = job.copy();
            MailImportCommand.print(out, job.account, report, false, options.json);
            return report.refused() == 0;
        });
    }

    @Command(name = "cutover", description = {
            "Move a person from the old system to Hato: a pass of copying; then their route becomes syncing (mail "
                    + "for them lands in Hato, their logins are Hato's); a last pass brings what reached the old "
                    + "server meanwhile; then their route becomes local.",
            WHICH_SYSTEM, "Exit status 0 when everything was copied, 1 when something was refused (the route is "
                    + "then left at syncing: run it again)."})
    int cutover(@Parameters(paramLabel = "AUTH_ID_OR_ADDRESS") String who, @Mixin Options options)
            throws IOException, GeneralSecurityException {
        return run(who, options, (job, out) -> {
            ImportReport first = job.copy();
            MailImportCommand.print(out, job.account, first, false, options.json);
            job.backends.setRoute(job.account.id(), Route.SYNCING).block();
            ImportReport last = job.copy();
            MailImportCommand.print(out, job.account, last, false, options.json);
            if (first.refused() + last.refused() > 0) {
                out.println("route of " + job.account.address() + ": syncing (something was refused; run cutover "
                        + "again)");
                return false;
            }
            job.backends.setRoute(job.account.id(), Route.LOCAL).block();
            out.println("route of " + job.account.address() + ": local (moved from " + job.backend.name() + ")");
            return true;
        });
    }

    @Command(name = "verify", description = {
            "Compare a person's folders on the old server with Hato's: every message must be in the same folder "
                    + "under the same UID with the same octets (SHA-256). One line per folder, and each message "
                    + "missing or different, by UID.",
            WHICH_SYSTEM, "Exit status 0 when every message was verified, 1 otherwise."})
    int verify(@Parameters(paramLabel = "AUTH_ID_OR_ADDRESS") String who, @Mixin Options options)
            throws IOException, GeneralSecurityException {
        return run(who, options, (job, out) -> {
            ImportReport report = job.copier.verify(job.account.id(), job.backend.imap(), job.trust, TIMEOUT,
                    job.login, job.context.store().blobs());
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
    int rollback(@Parameters(paramLabel = "AUTH_ID_OR_ADDRESS") String who, @Mixin Options options)
            throws IOException, GeneralSecurityException {
        if (options.legacy == null) {
            throw new IllegalArgumentException("give the old system to go back to: --legacy NAME");
        }
        return run(who, options, (job, out) -> {
            job.backends.setRoute(job.account.id(), Route.legacy(job.backend.name())).block();
            out.println("route of " + job.account.address() + ": legacy:" + job.backend.name());
            ImportReport report = job.copier.copyBack(job.account.id(), job.backend.imap(), job.trust, TIMEOUT,
                    job.login, job.context.store().blobs());
            for (ImportReport.Folder folder : report.folders()) {
                out.println(folder.source() + " -> " + folder.target() + " on " + job.backend.name() + ": "
                        + folder.found() + " arrived in Hato, " + folder.imported() + " copied back, "
                        + folder.skipped() + " there already");
            }
            return true;
        });
    }

    /** What every subcommand takes besides the person. */
    static final class Options {
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
    }

    /** One person's migration work: their account, the old system, the login there, the copier. */
    private record Job(CliContext context, Account account, LegacyBackends backends, LegacyBackend backend,
                       ImapCopy.Login login, SSLContext trust, ImapCopy copier) {
        ImportReport copy() throws IOException {
            return copier.copy(account.id(), backend.imap(), backend.pop3(), trust, TIMEOUT, login);
        }
    }

    private interface Work {
        boolean run(Job job, PrintWriter out) throws IOException;
    }

    private int run(String who, Options options, Work work) throws IOException, GeneralSecurityException {
        PrintWriter out = spec.commandLine().getOut();
        boolean ok;
        try (CliContext context = store.open()) {
            Account account = UserCommand.findAccount(context, who);
            LegacyBackends backends = context.store().legacyBackends();
            String name = options.legacy;
            if (name == null) {
                Route route = backends.route(account.id()).block();
                if (route == null || !route.isLegacy()) {
                    throw new IllegalArgumentException("the route of " + account.address() + " names no old system:"
                            + " give --legacy NAME");
                }
                name = route.backend();
            }
            LegacyBackend backend = LegacyCommand.find(context, name);
            String login = backends.login(account.id()).defaultIfEmpty(account.address()).block();
            ImapCopy.Login credentials;
            if (options.passwordStdin) {
                credentials = new ImapCopy.Login("", login, SettingsCommand.masterPassword(in));
            } else {
                String master = LegacyCommand.masterPassword(context, backend);
                if (master == null) {
                    throw new IllegalArgumentException("legacy system " + name + " has no master user: give the "
                            + "person's password there with --password-stdin");
                }
                credentials = new ImapCopy.Login(login, backend.masterUser(), master);
            }
            HatoProperties properties = context.properties();
            long limit = options.maxSize == null ? properties.imap().appendLimit().toBytes()
                    : DataSize.parse(options.maxSize.replace(" ", "")).toBytes();
            Path spool = Files.createDirectories(properties.dataDir().resolve("spool"))
                    .resolve("migrate-" + ProcessHandle.current().pid());
            Scheduler io = Schedulers.newBoundedElastic(2, 1000, "hato-migrate");
            try {
                ImapCopy copy = new ImapCopy(context.store().mailboxes(), context.store().keptUids(),
                        DeliveryWiring.indexer(), io, new MailImport.Settings(limit, spool,
                        properties.message().limits(), false), Clock.systemUTC());
                ok = work.run(new Job(context, account, backends, backend, credentials, LegacyTls.context(backend),
                        copy), out);
            } finally {
                io.dispose();
                MailImportCommand.removeSpool(spool);
            }
        }
        out.flush();
        return ok ? 0 : 1;
    }
}
