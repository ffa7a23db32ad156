package dev.hato.app;

import dev.hato.provisioning.ImportListener;
import dev.hato.provisioning.ImportOptions;
import dev.hato.provisioning.ImportProblem;
import dev.hato.provisioning.ImportRefusedException;
import dev.hato.provisioning.ImportReport;
import dev.hato.provisioning.Issued;
import dev.hato.provisioning.IssuedCsv;
import dev.hato.provisioning.PeopleCsv;
import dev.hato.provisioning.Person;
import dev.hato.provisioning.Provisioning;
import dev.hato.provisioning.ProvisioningException;
import dev.hato.auth.AuthIds;
import dev.hato.delivery.RecipientResolver;
import dev.hato.store.directory.Account;
import dev.hato.store.directory.ImportResult;
import dev.hato.store.mail.Mailboxes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.jspecify.annotations.Nullable;
import org.springframework.util.unit.DataSize;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hato user add|list|passwd|remove|quota|import|sync-ldap}. */
@Command(name = "user", mixinStandardHelpOptions = true,
        description = "Manage accounts. People log in with the auth ID, not with their address.")
final class UserCommand {

    private final InputStream in;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    StoreOptions store = new StoreOptions();

    UserCommand(InputStream in) {
        this.in = in;
    }

    @Command(name = "add", description = "Add an account and print its auth ID "
            + "(and, without --password-stdin, a generated initial password on a second line).")
    int add(@Parameters(paramLabel = "ADDRESS") String address,
            @Option(names = "--name", paramLabel = "NAME", description = "Display name.") @Nullable String name,
            @Option(names = "--auth-id", paramLabel = "ID", description = "Auth ID to use instead of a generated one.")
            @Nullable String authId,
            @Option(names = "--password-stdin", description = "Read the password from the first line of standard input.")
            boolean passwordStdin) {
        String password = passwordStdin ? readPassword() : null;
        try (CliContext context = store.open()) {
            Provisioning.Created created = context.provisioning().addUser(address, name, authId, password).block();
            PrintWriter out = spec.commandLine().getOut();
            if (created != null) {
                out.println(created.account().authId());
                if (created.generatedPassword() != null) {
                    out.println("initial password: " + created.generatedPassword());
                }
            }
        }
        return 0;
    }

    @Command(name = "list", description = "List accounts: auth ID, address, display name.")
    int list(@Option(names = "--domain", paramLabel = "DOMAIN", description = "Only this domain.")
             @Nullable String domain, @Option(names = "--json", description = "One JSON array of objects, for scripts.") boolean json) {
        try (CliContext context = store.open()) {
            var accounts = context.provisioning().users(domain).block();
            PrintWriter out = spec.commandLine().getOut();
            List<Account> all = accounts == null ? List.of() : accounts;
            if (json) {
                JsonOutput.print(out, all.stream().map(account -> JsonOutput.row("auth_id", account.authId(),
                        "address", account.address(), "display_name", account.displayName())).toList());
                return 0;
            }
            for (Account account : all) {
                out.println(account.authId() + "\t" + account.address() + "\t" + account.displayName());
            }
        }
        return 0;
    }

    @Command(name = "passwd", description = "Set an account's password (read from standard input).")
    int passwd(@Parameters(paramLabel = "AUTH_ID") String authId,
               @Option(names = "--password-stdin", required = true,
                       description = "Read the new password from the first line of standard input.")
               boolean passwordStdin) {
        String password = readPassword();
        try (CliContext context = store.open()) {
            context.provisioning().setPassword(authId, password).block();
            spec.commandLine().getOut().println("password changed for " + authId);
        }
        return 0;
    }

    @Command(name = "remove", description = "Remove an account with all its mail.")
    int remove(@Parameters(paramLabel = "AUTH_ID_OR_ADDRESS") String account) {
        try (CliContext context = store.open()) {
            context.provisioning().removeUser(account).block();
            spec.commandLine().getOut().println("removed account " + account);
        }
        return 0;
    }

    @Command(name = "quota", description = {
            "Show an account's storage and message usage and limits (RFC 9208 quota root \"\"), or set them. "
                    + "APPEND and COPY over a limit are refused with [OVERQUOTA]; a move is not.",
            "Sizes take B, KB, MB, GB or TB (binary multiples: 1MB = 1048576 octets); 'unlimited' removes one limit."})
    int quota(@Parameters(paramLabel = "AUTH_ID_OR_ADDRESS") String who,
              @Option(names = "--storage", paramLabel = "SIZE", description = "Storage limit, e.g. 500MB.")
              @Nullable String storage,
              @Option(names = "--messages", paramLabel = "COUNT", description = "Message count limit.")
              @Nullable String messages,
              @Option(names = "--unlimited", description = "Remove both limits.") boolean unlimited) {
        if (unlimited && (storage != null || messages != null)) {
            throw new IllegalArgumentException("--unlimited cannot be combined with --storage or --messages");
        }
        QuotaLimit storageLimit = storage == null ? null : QuotaLimit.parse(storage, true);
        QuotaLimit messageLimit = messages == null ? null : QuotaLimit.parse(messages, false);
        try (CliContext context = store.open()) {
            Account account = findAccount(context, who);
            Mailboxes mailboxes = context.store().mailboxes();
            Mailboxes.Quota before = mailboxes.quota(account.id()).block();
            if (before == null) {
                throw new IllegalStateException("no quota for " + who);
            }
            Mailboxes.Quota shown = before;
            if (unlimited || storageLimit != null || messageLimit != null) {
                Long octets = unlimited ? null : storageLimit == null ? before.limitOctets() : storageLimit.value();
                Long count = unlimited ? null : messageLimit == null ? before.limitMessages() : messageLimit.value();
                mailboxes.setQuota(account.id(), octets, count).block();
                shown = mailboxes.quota(account.id()).block();
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(account.authId() + "\t" + account.address());
            out.println("storage: " + octets(shown.usedOctets()) + " of "
                    + (shown.limitOctets() == null ? "unlimited" : octets(shown.limitOctets())));
            out.println("messages: " + shown.usedMessages() + " of "
                    + (shown.limitMessages() == null ? "unlimited" : shown.limitMessages()));
        }
        return 0;
    }

    /** A limit from the command line; null value: unlimited. */
    private record QuotaLimit(@Nullable Long value) {
        static QuotaLimit parse(String text, boolean size) {
            String trimmed = text.trim();
            if (trimmed.equalsIgnoreCase("unlimited")) {
                return new QuotaLimit(null);
            }
            long value;
            try {
                value = size ? DataSize.parse(trimmed.replace(" ", "")).toBytes() : Long.parseLong(trimmed);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException((size ? "not a size (e.g. 500MB, 2GB): " : "not a count: ")
                        + text);
            }
            if (value < 0) {
                throw new IllegalArgumentException("a limit cannot be negative: " + text);
            }
            return new QuotaLimit(value);
        }
    }

    /** Octets as an operator reads them: exact, and in the largest binary unit that fits. */
    static String octets(long octets) {
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = octets;
        String unit = null;
        for (String next : units) {
            if (value < 1024) {
                break;
            }
            value /= 1024;
            unit = next;
        }
        return unit == null ? octets + " octets" : String.format(Locale.ROOT, "%d octets (%.1f %s)", octets, value, unit);
    }

    /** The account named by auth ID, or by address when the argument has an '@'. */
    static Account findAccount(CliContext context, String who) {
        String key = who.trim();
        Account account = (key.indexOf('@') >= 0
                ? context.store().directory().findByAddress(RecipientResolver.normalize(key))
                : context.store().directory().findByAuthId(AuthIds.normalize(key))).block();
        if (account == null) {
            throw new IllegalArgumentException("no account with auth ID or address " + key);
        }
        return account;
    }

    @Command(name = "sync-ldap", description = {
            "Create or update the accounts of DOMAIN from a configured LDAP source (hato.auth.ldap.SOURCE.*): "
                    + "every entry of its people subtree whose mail address is in DOMAIN becomes an account with "
                    + "that address, the entry's auth ID and display name, and no local password (it logs in "
                    + "against LDAP). Existing accounts are updated; auth IDs never change. Entries without a mail "
                    + "address in DOMAIN are skipped and counted."})
    int syncLdap(@Option(names = "--source", required = true, paramLabel = "SOURCE",
                         description = "The LDAP source's name, as in hato.auth.ldap.SOURCE.urls.") String source,
                 @Option(names = "--domain", required = true, paramLabel = "DOMAIN",
                         description = "Only people whose address is in this domain.") String domain,
                 @Option(names = "--batch-size", paramLabel = "N", defaultValue = "500",
                         description = "Accounts per transaction (default ${DEFAULT-VALUE}).") int batchSize) {
        try (CliContext context = store.open()) {
            HatoProperties.Ldap ldap = context.properties().auth().ldap().get(source);
            if (ldap == null) {
                throw new ProvisioningException("no LDAP source '" + source + "' is configured (hato.auth.ldap."
                        + source + ".urls); configured: " + context.properties().auth().ldap().keySet());
            }
            String suffix = "@" + domain.trim().toLowerCase(Locale.ROOT);
            List<Person> people = new ArrayList<>();
            int skipped = 0;
            try (var directory = new dev.hato.auth.ldap.LdapCredentialSource(AuthWiring.ldapSettings(source, ldap))) {
                for (var person : directory.people().collectList().block()) {
                    String address = person.address() == null ? "" : person.address().trim();
                    if (!address.toLowerCase(Locale.ROOT).endsWith(suffix)) {
                        skipped++;
                        continue;
                    }
                    people.add(Person.external(people.size() + 1, address, person.displayName(), person.authId()));
                }
            }
            ImportReport report = context.provisioning()
                    .importPeople(people, ImportOptions.defaults().withBatchSize(batchSize), ImportListener.NONE)
                    .block();
            PrintWriter out = spec.commandLine().getOut();
            if (report != null) {
                out.println("synced " + people.size() + " people from ldap:" + source + " into " + domain + ": "
                        + report.result().created() + " created, " + report.result().updated() + " updated, "
                        + report.result().unchanged() + " unchanged; " + skipped + " entries skipped (no address in "
                        + domain + ")");
            }
        }
        return 0;
    }

    @Command(name = "import", description = {
            "Create or update accounts from a CSV file (UTF-8, RFC 4180) with the header line "
                    + "address,display_name,auth_id,password. An empty auth_id is issued in the seed's style; an "
                    + "empty password is generated for a new account; 'external' means no local password (LDAP or "
                    + "the portal). An existing address is updated (display name, and the password if the row gives "
                    + "one); its auth ID never changes.",
            "The whole file is checked first: any bad row is reported with its line number and nothing is "
                    + "imported. Then one transaction per batch; importing the same file again changes nothing.",
            "The auth IDs (and generated initial passwords) are written to ISSUED.csv with mode 0600."})
    int importUsers(@Parameters(paramLabel = "FILE.csv", description = "The people to import.") Path file,
                    @Option(names = "--out", paramLabel = "ISSUED.csv",
                            description = "Where to write address,auth_id,initial_password "
                                    + "(default: FILE-issued.csv next to FILE).") @Nullable Path out,
                    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "500",
                            description = "Accounts per transaction (default ${DEFAULT-VALUE}).") int batchSize,
                    @Option(names = "--overwrite",
                            description = "Replace ISSUED.csv if it exists (it may hold initial passwords not "
                                    + "handed out yet).") boolean overwrite) {
        ImportOptions options = ImportOptions.defaults().withBatchSize(batchSize);
        Path issuedPath = out != null ? out : IssuedCsv.defaultPath(file);
        if (Files.exists(issuedPath) && !overwrite) {
            throw new ProvisioningException(issuedPath + " exists and may hold initial passwords not handed out "
                    + "yet: move it away, name another file with --out, or pass --overwrite");
        }
        PeopleCsv.Parsed parsed;
        try {
            parsed = PeopleCsv.read(file);
        } catch (NoSuchFileException e) {
            throw new ProvisioningException("no such file: " + file);
        } catch (IOException e) {
            throw new ProvisioningException("cannot read " + file + ": " + e.getMessage());
        }
        PrintWriter err = spec.commandLine().getErr();
        try (CliContext context = store.open()) {
            Provisioning provisioning = context.provisioning();
            if (!parsed.problems().isEmpty()) {
                // Rows the CSV grammar refused plus what is wrong with the others: every bad row at once.
                List<ImportProblem> all = new ArrayList<>(parsed.problems());
                all.addAll(provisioning.checkPeople(parsed.people()).blockOptional().orElse(List.of()));
                all.sort(Comparator.comparingInt(ImportProblem::line));
                return refused(file, new ImportRefusedException(all));
            }
            ImportReport report;
            try (ImportProgress progress = new ImportProgress(issuedPath, overwrite, err, System.console() != null)) {
                try {
                    report = provisioning.importPeople(parsed.people(), options, progress).block();
                } catch (ImportRefusedException refused) {
                    return refused(file, refused);
                } catch (RuntimeException e) {
                    if (progress.written > 0) {
                        err.println("hato: " + progress.written + " rows were committed before the failure; "
                                + issuedPath + " lists them. Importing the file again finishes the work.");
                    }
                    throw e;
                }
            }
            if (report != null) {
                summary(file, issuedPath, report);
            }
        }
        return 0;
    }

    private int refused(Path file, ImportRefusedException refused) {
        PrintWriter err = spec.commandLine().getErr();
        for (ImportProblem problem : refused.problems()) {
            err.println(problem);
        }
        err.println("hato: " + file + ": " + refused.getMessage());
        return 1;
    }

    private void summary(Path file, Path issuedPath, ImportReport report) {
        PrintWriter out = spec.commandLine().getOut();
        ImportResult result = report.result();
        out.printf(Locale.ROOT, "imported %d rows from %s: %d created, %d updated, %d unchanged%n",
                result.rows(), file, result.created(), result.updated(), result.unchanged());
        out.printf(Locale.ROOT, "auth IDs written to %s (%d rows, %d initial passwords)%n", issuedPath,
                report.issued().size(), report.initialPasswords());
        double seconds = seconds(report.total());
        out.printf(Locale.ROOT, "time %.2f s (checking %.2f s, hashing %.2f s, database %.2f s), %.0f rows/s%n",
                seconds, seconds(report.checking()), seconds(report.hashing()), seconds(report.database()),
                seconds > 0 ? result.rows() / seconds : 0.0);
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }

    /**
     * Follows an import: creates the issued list once the file passed validation and appends each committed batch
     * to it; shows a progress bar on a terminal, a line per batch (at most every two seconds) otherwise.
     */
    private static final class ImportProgress implements ImportListener, AutoCloseable {
        private static final long PLAIN_INTERVAL_NANOS = 2_000_000_000L;

        private final Path issuedPath;
        private final boolean overwrite;
        private final PrintWriter err;
        private final boolean terminal;
        private @Nullable IssuedCsv issued;
        private @Nullable ProgressBar bar;
        private int total;
        private int written;
        private ImportResult result = ImportResult.NONE;
        private long lastLine;

        ImportProgress(Path issuedPath, boolean overwrite, PrintWriter err, boolean terminal) {
            this.issuedPath = issuedPath;
            this.overwrite = overwrite;
            this.err = err;
            this.terminal = terminal;
        }

        @Override
        public void started(int rows) {
            total = rows;
            try {
                issued = IssuedCsv.create(issuedPath, overwrite);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + issuedPath + ": " + e.getMessage(), e);
            }
            if (terminal) {
                bar = new ProgressBarBuilder().setTaskName("import").setInitialMax(rows)
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).showSpeed()
                        .setConsumer(new TerminalLine(err)).build();
            } else {
                err.printf(Locale.ROOT, "import: %d rows checked, writing in batches%n", rows);
                lastLine = System.nanoTime();
            }
        }

        @Override
        public void prepared(int rows) {
            if (bar != null) {
                bar.stepBy(rows);
            }
        }

        @Override
        public void committed(List<Issued> batch, ImportResult batchResult) {
            try {
                if (issued != null) {
                    issued.write(batch);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + issuedPath + ": " + e.getMessage(), e);
            }
            written += batch.size();
            result = result.plus(batchResult);
            String counts = String.format(Locale.ROOT, "created %d, updated %d, unchanged %d",
                    result.created(), result.updated(), result.unchanged());
            if (bar != null) {
                bar.setExtraMessage(" " + written + " written (" + counts + ")");
            } else if (written == total || System.nanoTime() - lastLine >= PLAIN_INTERVAL_NANOS) {
                err.printf(Locale.ROOT, "import: %d/%d rows written (%s)%n", written, total, counts);
                lastLine = System.nanoTime();
            }
        }

        @Override
        public void close() {
            try {
                if (bar != null) {
                    bar.close();
                }
            } finally {
                try {
                    if (issued != null) {
                        issued.close();
                    }
                } catch (IOException e) {
                    err.println("hato: closing " + issuedPath + " failed: " + e.getMessage());
                }
            }
        }
    }

    private String readPassword() {
        try {
            String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
            if (line == null || line.isEmpty()) {
                throw new ProvisioningException("no password on standard input");
            }
            return line;
        } catch (IOException e) {
            throw new ProvisioningException("cannot read the password from standard input: " + e.getMessage());
        }
    }
}
