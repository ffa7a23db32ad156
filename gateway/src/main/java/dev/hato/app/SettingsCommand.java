package dev.hato.app;

import dev.hato.contacts.AddressBookFiles;
import dev.hato.legacy.ForwardFile;
import dev.hato.legacy.SieveImport;
import dev.hato.legacy.LegacyTls;
import dev.hato.provisioning.Csv;
import dev.hato.provisioning.ImportProblem;
import dev.hato.store.directory.Account;
import dev.hato.store.legacy.LegacyBackend;
import dev.hato.store.sieve.SieveScripts;
import dev.hato.tls.TrustedCertificates;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hato settings import}: what people set up on the old system, carried over by an administrator (the seed:
 * "settings are copied by administrators"): their Sieve scripts read from the old ManageSieve server, their
 * {@code .forward} files and their address books (vCard, Outlook or Gmail CSV, Thunderbird LDIF). Each script is compiled by Hato's engine before it is stored; what cannot be carried over
 * is reported per person, with the reason, and nothing of it is stored.
 */
@Command(name = "settings", mixinStandardHelpOptions = true,
        description = "Carry people's settings over from the old mail system.")
final class SettingsCommand {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final InputStream in;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    StoreOptions store = new StoreOptions();

    SettingsCommand(InputStream in) {
        this.in = in;
    }

    /** For picocli's own factory (help output); {@code hato} itself passes its standard input. */
    SettingsCommand() {
        this(System.in);
    }

    /**
     * One person to import: their account here, their login on the old system (null: the one kept with
     * {@code hato legacy login}, else what {@code who} says), their password there (if known).
     */
    record Person(String who, @Nullable String login, @Nullable String password) {
        Person withLogin(String oldLogin) {
            return new Person(who, oldLogin, password);
        }
    }

    static final class Who {
        @Parameters(paramLabel = "AUTH_ID_OR_ADDRESS", description = "One person.")
        @Nullable String one;

        @Option(names = "--csv", paramLabel = "FILE", description = "People: a CSV file with the columns address "
                + "and, optionally, login (their login on the old system; default: the address) and password "
                + "(theirs there, when no master user is given).")
        @Nullable Path csv;
    }

    @Command(name = "import", description = {
            "Import people's Sieve scripts from the old ManageSieve server, their .forward files and their address "
                    + "books, and report per person what was imported and what could not be, and why.",
            "Exit status 0 when everything was imported, 1 when something was not (see the report)."})
    int importSettings(
            @ArgGroup(exclusive = true, multiplicity = "1") Who who,
            @Option(names = "--login", paramLabel = "LOGIN", description = "The person's login on the old system "
                    + "(default: their address).") @Nullable String login,
            @Option(names = "--legacy", paramLabel = "NAME", description = "An old system named with hato legacy "
                    + "add: its ManageSieve server, trusted certificates and master user, instead of --managesieve, "
                    + "--trust and --master-user.") @Nullable String legacy,
            @Option(names = "--managesieve", paramLabel = "HOST:PORT",
                    description = "The old ManageSieve server (port 4190 usually).") @Nullable String managesieve,
            @Option(names = "--managesieve-tls", paramLabel = "MODE", defaultValue = "starttls",
                    description = "starttls (default), implicit, or none (loopback only).") String tls,
            @Option(names = "--trust", paramLabel = "PEMFILE", description = "Certificates to trust for the old "
                    + "server (its self-signed certificate or CA), besides the system's.") @Nullable Path trust,
            @Option(names = "--master-user", paramLabel = "USER", description = "Log in to the old server as this "
                    + "master user for each person (its password on the first line of standard input).")
            @Nullable String masterUser,
            @Option(names = "--forward-dir", paramLabel = "DIR", description = "Where the old system's .forward "
                    + "files are: DIR/LOGIN/.forward or DIR/LOGIN.forward.") @Nullable Path forwardDir,
            @Option(names = "--contacts-dir", paramLabel = "DIR", description = "Where the old system's address "
                    + "books are: DIR/LOGIN/* or DIR/LOGIN.vcf|.csv|.ldif (vCard, Outlook or Gmail CSV, Thunderbird "
                    + "LDIF).") @Nullable Path contactsDir,
            @Option(names = "--json", description = "The report as one JSON array, for scripts.") boolean json)
            throws IOException, GeneralSecurityException {
        if (legacy == null && managesieve == null && forwardDir == null && contactsDir == null) {
            throw new IllegalArgumentException("nothing to import: give --legacy or --managesieve, --forward-dir "
                    + "and/or --contacts-dir");
        }
        if (legacy != null && (managesieve != null || trust != null || masterUser != null)) {
            throw new IllegalArgumentException("--legacy names the ManageSieve server, trusted certificates and "
                    + "master user: give it without --managesieve, --trust and --master-user");
        }
        List<Person> people = people(who, login);
        PrintWriter out = spec.commandLine().getOut();
        List<Map<String, Object>> rows = new ArrayList<>();
        boolean complete = true;
        try (CliContext context = store.open()) {
            Source source;
            if (legacy != null) {
                source = legacySource(context, legacy);
            } else {
                String masterPassword = masterUser == null ? null : masterPassword(in);
                source = managesieve == null ? null : new Source(LegacyCommand.server(managesieve,
                        tls.toLowerCase(Locale.ROOT)), sslContext(trust), masterUser, masterPassword);
            }
            for (Person named : people) {
                Person person = named;
                Report report = new Report();
                Account account;
                try {
                    account = UserCommand.findAccount(context, person.who());
                } catch (IllegalArgumentException unknown) {
                    report.failed.add(unknown.getMessage());
                    complete = false;
                    print(out, json, rows, person.who(), report);
                    continue;
                }
                if (person.login() == null) {
                    String kept = context.store().legacyBackends().login(account.id()).block();
                    person = person.withLogin(kept != null ? kept : person.who());
                }
                if (source != null) {
                    importScripts(context.store().sieveScripts(), account, person, source, report);
                }
                if (forwardDir != null) {
                    importForward(context, account, person, forwardDir, report);
                }
                if (contactsDir != null) {
                    importContacts(context, account, person, contactsDir, report);
                }
                complete &= report.failed.isEmpty();
                print(out, json, rows, account.address(), report);
            }
        }
        if (json) {
            JsonOutput.print(out, rows);
        }
        out.flush();
        return complete ? 0 : 1;
    }

    /** What was imported for one person, and what was not. */
    private static final class Report {
        final List<String> imported = new ArrayList<>();
        final List<String> failed = new ArrayList<>();
    }

    /** The old ManageSieve server and how to log in to it. */
    private record Source(LegacyBackend.Server server, SSLContext trust, @Nullable String masterUser,
                          @Nullable String masterPassword) { }

    /** The ManageSieve server, trust and master user of the old system named {@code name}. */
    private static Source legacySource(CliContext context, String name) throws GeneralSecurityException,
            IOException {
        LegacyBackend backend = LegacyCommand.find(context, name);
        LegacyBackend.Server server = backend.manageSieve();
        if (server == null) {
            throw new IllegalArgumentException("legacy system " + name + " has no ManageSieve server (hato legacy "
                    + "add " + name + " --replace ... --managesieve HOST:PORT)");
        }
        return new Source(server, LegacyTls.context(backend), backend.masterUser(),
                LegacyCommand.masterPassword(context, backend));
    }

    private static void importScripts(SieveScripts scripts, Account account, Person person, Source source,
                                      Report report) {
        String password = source.masterPassword() != null ? source.masterPassword() : person.password();
        if (password == null) {
            report.failed.add("sieve: no password for " + person.login() + " on the old server (give --master-user, "
                    + "or a password column)");
            return;
        }
        SieveImport.run(scripts, account.id(), source.server(), source.trust(), TIMEOUT, person.login(),
                source.masterUser(), password, report.imported, report.failed);
    }

    private static void importForward(CliContext context, Account account, Person person, Path dir, Report report) {
        Path file = Files.isRegularFile(dir.resolve(person.login()).resolve(".forward"))
                ? dir.resolve(person.login()).resolve(".forward") : dir.resolve(person.login() + ".forward");
        if (!Files.isRegularFile(file)) {
            return; // no .forward: nothing to carry over
        }
        try {
            if (Files.size(file) > 64 * 1024) {
                report.failed.add("forward: " + file + " is larger than 64 KiB");
                return;
            }
            ForwardFile forward = ForwardFile.parse(Files.readString(file, StandardCharsets.UTF_8), person.login(),
                    account.address());
            forward.unsupported().forEach(entry -> report.failed.add("forward: " + entry
                    + " cannot be carried over (programs, files and local names without a domain are not forwarded)"));
            if (!forward.targets().isEmpty()) {
                context.store().addresses().setForwarding(account.address(), forward.targets(), forward.keepCopy())
                        .block();
                report.imported.add("forward: " + String.join(", ", forward.targets())
                        + (forward.keepCopy() ? " (keeps a copy)" : ""));
            }
        } catch (IOException | RuntimeException e) {
            report.failed.add("forward: " + e.getMessage());
        }
    }

    /** The person's address-book files: everything in DIR/LOGIN/, or DIR/LOGIN.vcf, .csv or .ldif. */
    private static void importContacts(CliContext context, Account account, Person person, Path dir, Report report) {
        List<Path> files = new ArrayList<>();
        try {
            Path own = dir.resolve(person.login());
            if (Files.isDirectory(own)) {
                try (java.util.stream.Stream<Path> listed = Files.list(own)) {
                    listed.filter(Files::isRegularFile).sorted().forEach(files::add);
                }
            }
            for (String extension : List.of(".vcf", ".csv", ".ldif")) {
                Path file = dir.resolve(person.login() + extension);
                if (Files.isRegularFile(file)) {
                    files.add(file);
                }
            }
        } catch (IOException e) {
            report.failed.add("contacts: " + e.getMessage());
            return;
        }
        for (Path file : files) {
            try {
                AddressBookFiles.Imported imported = AddressBookFiles.store(context.store().addressBooks(),
                        account.id(), ContactsCommand.read(file, AddressBookFiles.formatOf(file.toString())),
                        refusal -> report.failed.add("contacts: " + file.getFileName() + ": " + refusal)).block();
                report.imported.add("contacts: " + file.getFileName() + ": " + imported.added() + " added, "
                        + imported.replaced() + " replaced");
            } catch (IOException | RuntimeException e) {
                report.failed.add("contacts: " + file.getFileName() + ": " + e.getMessage());
            }
        }
    }

    private static void print(PrintWriter out, boolean json, List<Map<String, Object>> rows, String who,
                              Report report) {
        if (json) {
            rows.add(JsonOutput.row("person", who, "imported", report.imported, "not_imported", report.failed));
            return;
        }
        out.println(who + ": " + (report.imported.isEmpty() && report.failed.isEmpty() ? "nothing to import"
                : report.imported.size() + " imported" + (report.failed.isEmpty() ? "" : ", "
                        + report.failed.size() + " not")));
        report.imported.forEach(line -> out.println("  imported " + line));
        report.failed.forEach(line -> out.println("  NOT imported " + line));
    }

    private List<Person> people(Who who, @Nullable String login) throws IOException {
        if (who.one != null) {
            return List.of(new Person(who.one, login, null));
        }
        Path csv = who.csv;
        if (csv == null) {
            throw new IllegalArgumentException("give a person or --csv");
        }
        Csv.Parsed parsed;
        try (Reader reader = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            parsed = Csv.read(reader);
        }
        if (!parsed.problems().isEmpty()) {
            ImportProblem first = parsed.problems().get(0);
            throw new IllegalArgumentException(csv + ":" + first.line() + ": " + first.message());
        }
        if (parsed.records().isEmpty()) {
            throw new IllegalArgumentException(csv + " has no header line");
        }
        List<String> header = parsed.records().get(0).fields().stream()
                .map(name -> name.strip().toLowerCase(Locale.ROOT)).toList();
        int address = header.indexOf("address");
        if (address < 0) {
            throw new IllegalArgumentException(csv + ": no address column");
        }
        int loginColumn = header.indexOf("login");
        int password = header.indexOf("password");
        List<Person> people = new ArrayList<>();
        for (Csv.Record record : parsed.records().subList(1, parsed.records().size())) {
            List<String> fields = record.fields();
            String person = field(fields, address);
            if (person == null) {
                throw new IllegalArgumentException(csv + ":" + record.line() + ": no address");
            }
            String legacy = field(fields, loginColumn);
            people.add(new Person(person, legacy, field(fields, password)));
        }
        return people;
    }

    private static @Nullable String field(List<String> fields, int index) {
        if (index < 0 || index >= fields.size() || fields.get(index).isBlank()) {
            return null;
        }
        return fields.get(index).strip();
    }

    /** The system's trusted certificates, and those of {@code pem} when given. */
    private static SSLContext sslContext(@Nullable Path pem) throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, TrustedCertificates.trustManagers(pem, true).getTrustManagers(), null);
        return context;
    }

    /** A master user's password: the first line of {@code in} (shared with {@code hato legacy add}). */
    static String masterPassword(InputStream in) throws IOException {
        String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        if (line == null || line.isEmpty()) {
            throw new IllegalArgumentException("no master password on standard input");
        }
        return line;
    }
}
