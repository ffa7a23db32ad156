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
            "The old system is --legacy NAME, else the one the person's route names. Logs in there as the system's "
                    + "master user acting for the person (their login there: hato legacy login), or with "
                    + "--password-stdin as the person.",
            "Exit status 0 when everything was copied, 1 when something was refused (listed)."})
    int copy(@Parameters(paramLabel = "AUTH_ID_OR_ADDRESS") String who,
             @Option(names = "--legacy", paramLabel = "NAME", description = "The old system (default: the route's).")
             @Nullable String legacy,
             @Option(names = "--password-stdin", description = "Log in as the person with the password on standard "
                     + "input (for a system without a master user).") boolean passwordStdin,
             @Option(names = "--max-size", paramLabel = "SIZE", description = "Refuse messages larger than SIZE "
                     + "(default: hato.imap.append-limit).") @Nullable String maxSize,
             @Option(names = "--json", description = "The report as one JSON array of objects, one per folder.")
             boolean json) throws IOException, GeneralSecurityException {
        PrintWriter out = spec.commandLine().getOut();
        ImportReport report;
        try (CliContext context = store.open()) {
            Account account = UserCommand.findAccount(context, who);
            LegacyBackends backends = context.store().legacyBackends();
            String name = legacy;
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
            if (passwordStdin) {
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
            long limit = maxSize == null ? properties.imap().appendLimit().toBytes()
                    : DataSize.parse(maxSize.replace(" ", "")).toBytes();
            Path spool = Files.createDirectories(properties.dataDir().resolve("spool"))
                    .resolve("migrate-" + ProcessHandle.current().pid());
            Scheduler io = Schedulers.newBoundedElastic(2, 1000, "hato-migrate");
            try {
                ImapCopy copy = new ImapCopy(context.store().mailboxes(), context.store().keptUids(),
                        DeliveryWiring.indexer(), io, new MailImport.Settings(limit, spool,
                        properties.message().limits(), false), Clock.systemUTC());
                report = copy.copy(account.id(), backend.imap(), LegacyTls.context(backend), TIMEOUT, credentials);
            } finally {
                io.dispose();
                MailImportCommand.removeSpool(spool);
            }
            MailImportCommand.print(out, account, report, false, json);
        }
        out.flush();
        return report.refused() == 0 ? 0 : 1;
    }
}
