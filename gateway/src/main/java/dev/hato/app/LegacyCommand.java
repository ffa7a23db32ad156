package dev.hato.app;

import dev.hato.legacy.LegacyTls;
import dev.hato.legacy.ManageSieveClient;
import dev.hato.legacy.MasterPasswords;
import dev.hato.legacy.ServerProbe;
import dev.hato.store.directory.Account;
import dev.hato.store.legacy.LegacyBackend;
import dev.hato.store.legacy.LegacyBackend.Server;
import dev.hato.store.legacy.LegacyBackend.Tls;
import dev.hato.store.legacy.LegacyBackends;
import dev.hato.store.legacy.Throttle;
import dev.hato.tls.TrustedCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hato legacy add|list|remove|check|login}: the old mail systems a migration runs beside (issue 17), kept in the
 * store so that every node and every later step (settings import, routes, the copier) finds them by name. The
 * master user's password is read from standard input and stored sealed ({@link MasterPasswords}); it is never
 * printed.
 */
@Command(name = "legacy", mixinStandardHelpOptions = true,
        description = "Name the old mail systems a migration runs beside, and people's logins on them.")
final class LegacyCommand {

    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(20);

    private final InputStream in;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    StoreOptions store = new StoreOptions();

    LegacyCommand(InputStream in) {
        this.in = in;
    }

    /** For picocli's own factory (help output); {@code hato} itself passes its standard input. */
    LegacyCommand() {
        this(System.in);
    }

    @Command(name = "add", description = {"Name an old mail system: its IMAP server, and its POP3, SMTP and "
            + "ManageSieve servers when it has them.",
            "TLS none is accepted only for servers on this machine (loopback): a master password must not cross a "
            + "network in the clear."})
    int add(@Parameters(paramLabel = "NAME", description = "a-z, 0-9, '.', '_', '-'; up to 63.") String name,
            @Option(names = "--imap", required = true, paramLabel = "HOST:PORT") String imap,
            @Option(names = "--imap-tls", paramLabel = "MODE", defaultValue = "implicit",
                    description = "implicit (default, port 993), starttls (143) or none.") String imapTls,
            @Option(names = "--pop3", paramLabel = "HOST:PORT") @Nullable String pop3,
            @Option(names = "--pop3-tls", paramLabel = "MODE", defaultValue = "implicit",
                    description = "implicit (default, port 995), starttls (110) or none.") String pop3Tls,
            @Option(names = "--smtp", paramLabel = "HOST:PORT", description = "The old MTA, for mail to people "
                    + "still served there (STARTTLS when it offers it).") @Nullable String smtp,
            @Option(names = "--managesieve", paramLabel = "HOST:PORT") @Nullable String manageSieve,
            @Option(names = "--managesieve-tls", paramLabel = "MODE", defaultValue = "starttls",
                    description = "starttls (default), implicit or none.") String manageSieveTls,
            @Option(names = "--trust", paramLabel = "PEMFILE", description = "Certificates to trust for the old "
                    + "servers (a self-signed one, or the CA), besides the system's; kept in the store.")
            @Nullable Path trust,
            @Option(names = "--master-user", paramLabel = "USER", description = "A user of the old system that may "
                    + "log in as anyone there.") @Nullable String masterUser,
            @Option(names = "--master-password-stdin", description = "Read the master user's password from the "
                    + "first line of standard input.") boolean masterPasswordStdin,
            @Option(names = "--replace", description = "Replace the system of that name.") boolean replace)
            throws IOException {
        if ((masterUser == null) != !masterPasswordStdin) {
            throw new IllegalArgumentException("give --master-user and --master-password-stdin together");
        }
        String trustPem = null;
        if (trust != null) {
            trustPem = Files.readString(trust, StandardCharsets.US_ASCII);
            TrustedCertificates.trustManagers(trustPem, trust.toString(), true); // refuses a file without certificates
        }
        byte[] sealed = null;
        try (CliContext context = store.open()) {
            if (masterUser != null) {
                sealed = MasterPasswords.of(context.properties().dataDir()).seal(name, SettingsCommand.masterPassword(in));
            }
            LegacyBackend backend = new LegacyBackend(name, server(imap, imapTls),
                    pop3 == null ? null : server(pop3, pop3Tls), smtp == null ? null : server(smtp, "starttls"),
                    manageSieve == null ? null : server(manageSieve, manageSieveTls), trustPem, masterUser, sealed);
            if (!Boolean.TRUE.equals(context.store().legacyBackends().put(backend, replace).block())) {
                throw new IllegalArgumentException("a legacy system named " + name + " exists (give --replace to "
                        + "replace it)");
            }
            spec.commandLine().getOut().println((replace ? "set" : "added") + " legacy system " + describe(backend));
        }
        return 0;
    }

    @Command(name = "list", description = "List the old mail systems (passwords are never shown).")
    int list(@Option(names = "--json", description = "One JSON array of objects, for scripts.") boolean json) {
        try (CliContext context = store.open()) {
            List<LegacyBackend> all = context.store().legacyBackends().list().collectList().block();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (LegacyBackend backend : all == null ? List.<LegacyBackend>of() : all) {
                    rows.add(JsonOutput.row("name", backend.name(), "imap", text(backend.imap()),
                            "pop3", text(backend.pop3()), "smtp", text(backend.smtp()),
                            "managesieve", text(backend.manageSieve()), "trust", backend.trustPem() != null,
                            "master_user", backend.masterUser()));
                }
                JsonOutput.print(out, rows);
            } else if (all != null) {
                all.forEach(backend -> out.println(describe(backend)));
            }
        }
        return 0;
    }

    @Command(name = "remove", description = "Forget an old mail system.")
    int remove(@Parameters(paramLabel = "NAME") String name) {
        try (CliContext context = store.open()) {
            if (!Boolean.TRUE.equals(context.store().legacyBackends().remove(name).block())) {
                throw new IllegalArgumentException("no legacy system is named " + name);
            }
            spec.commandLine().getOut().println("removed legacy system " + name);
        }
        return 0;
    }

    @Command(name = "throttle", description = {"Show or set how hard a migration may press an old system: at most "
            + "--max-connections people copied from it at once, each connection reading at most --max-rate per "
            + "second (e.g. 2MB); 'none' lifts a limit. Each process that copies (a node of the server, a hato "
            + "migrate command) keeps to them for its own connections; hato migrate --parallel and --max-rate, and "
            + "hato.migration.parallel and max-rate, are kept to as well."})
    int throttle(@Parameters(paramLabel = "NAME") String name,
                 @Option(names = "--max-connections", paramLabel = "N|none") @Nullable String connections,
                 @Option(names = "--max-rate", paramLabel = "SIZE|none") @Nullable String rate) {
        try (CliContext context = store.open()) {
            LegacyBackends backends = context.store().legacyBackends();
            find(context, name);
            Throttle throttle = backends.throttle(name).block();
            if (connections != null || rate != null) {
                Integer maxConnections = connections == null ? throttle.maxConnections()
                        : connections.equalsIgnoreCase("none") ? null : positive(connections);
                Long maxRate = rate == null ? throttle.maxRate() : rate.equalsIgnoreCase("none") ? null
                        : org.springframework.util.unit.DataSize.parse(rate.replace(" ", "")).toBytes();
                throttle = new Throttle(maxConnections, maxRate);
                backends.setThrottle(name, throttle).block();
            }
            spec.commandLine().getOut().println(name + ": " + describe(throttle));
        }
        return 0;
    }

    private static int positive(String number) {
        try {
            int value = Integer.parseInt(number.trim());
            if (value < 1 || value > 1000) {
                throw new IllegalArgumentException("--max-connections is 1 to 1000 or none, not " + number);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--max-connections is 1 to 1000 or none, not " + number);
        }
    }

    static String describe(Throttle throttle) {
        return (throttle.maxConnections() == null ? "any number of connections" : "at most "
                + throttle.maxConnections() + " connections") + ", " + (throttle.maxRate() == null
                ? "no rate limit" : "at most " + throttle.maxRate() + " octets/s each");
    }

    @Command(name = "login", description = {"Show a person's login on the old systems, or set it when it is not "
            + "their address (LOGIN), or go back to their address (--clear)."})
    int login(@Parameters(index = "0", paramLabel = "AUTH_ID_OR_ADDRESS") String who,
              @Parameters(index = "1", arity = "0..1", paramLabel = "LOGIN") @Nullable String login,
              @Option(names = "--clear", description = "Their login there is their address.") boolean clear) {
        if (clear && login != null) {
            throw new IllegalArgumentException("give LOGIN or --clear, not both");
        }
        try (CliContext context = store.open()) {
            Account account = UserCommand.findAccount(context, who);
            LegacyBackends backends = context.store().legacyBackends();
            if (clear || login != null) {
                backends.setLogin(account.id(), login).block();
            }
            String stored = backends.login(account.id()).block();
            spec.commandLine().getOut().println("login of " + account.address() + " on the old systems: "
                    + (stored == null ? account.address() + " (their address)" : stored));
        }
        return 0;
    }

    @Command(name = "check", description = {"Connect to each server of an old system as the migration will: TLS "
            + "as configured, the certificate checked, the capabilities read; with --as, log in there as the master "
            + "user acting for that person (IMAP, POP3, ManageSieve).",
            "Exit status 0 when every server answered as it should, 1 otherwise."})
    int check(@Parameters(paramLabel = "NAME") String name,
              @Option(names = "--as", paramLabel = "LOGIN", description = "A person's login on the old system.")
              @Nullable String as) throws GeneralSecurityException, IOException {
        boolean ok = true;
        PrintWriter out = spec.commandLine().getOut();
        try (CliContext context = store.open()) {
            LegacyBackend backend = find(context, name);
            SSLContext trust = LegacyTls.context(backend);
            String password = masterPassword(context, backend);
            if (as != null && password == null) {
                throw new IllegalArgumentException("legacy system " + name + " has no master user to log in with");
            }
            ServerProbe.Credentials credentials = as == null ? null
                    : new ServerProbe.Credentials(as, backend.masterUser(), password);
            ok &= report(out, "imap", backend.imap(), ServerProbe.imap(backend.imap().host(), backend.imap().port(),
                    probeTls(backend.imap()), trust, CHECK_TIMEOUT, credentials));
            Server pop3 = backend.pop3();
            if (pop3 != null) {
                ok &= report(out, "pop3", pop3, ServerProbe.pop3(pop3.host(), pop3.port(), probeTls(pop3), trust,
                        CHECK_TIMEOUT, credentials));
            }
            Server manageSieve = backend.manageSieve();
            if (manageSieve != null) {
                ok &= report(out, "managesieve", manageSieve, manageSieve(manageSieve, trust, credentials));
            }
            Server smtp = backend.smtp();
            if (smtp != null) {
                ok &= report(out, "smtp", smtp, ServerProbe.smtp(smtp.host(), smtp.port(),
                        context.properties().hostName(), trust, CHECK_TIMEOUT));
            }
        }
        return ok ? 0 : 1;
    }

    /** The old system named {@code name}, or a clear refusal. */
    static LegacyBackend find(CliContext context, String name) {
        LegacyBackend backend = context.store().legacyBackends().find(name).block();
        if (backend == null) {
            throw new IllegalArgumentException("no legacy system is named " + name + " (see hato legacy list)");
        }
        return backend;
    }

    /** The master user's password, opened with this data directory's key; null when there is no master user. */
    static @Nullable String masterPassword(CliContext context, LegacyBackend backend) throws IOException {
        byte[] sealed = backend.sealedMasterPassword();
        return sealed == null ? null : MasterPasswords.of(context.properties().dataDir()).open(backend.name(), sealed);
    }

    private static ServerProbe.Result manageSieve(Server server, SSLContext trust,
                                                  ServerProbe.@Nullable Credentials credentials) {
        try (ManageSieveClient client = ManageSieveClient.connect(server.host(), server.port(),
                ManageSieveClient.Tls.valueOf(server.tls().name()), trust, CHECK_TIMEOUT)) {
            if (credentials != null) {
                client.authenticate(credentials.user(), credentials.login(), credentials.password());
                return new ServerProbe.Result(true, "ok, master user " + credentials.login() + " logged in for "
                        + credentials.user());
            }
            return new ServerProbe.Result(true, "ok");
        } catch (IOException | RuntimeException e) {
            return new ServerProbe.Result(false, "failed: " + e.getMessage());
        }
    }

    private static boolean report(PrintWriter out, String protocol, Server server, ServerProbe.Result result) {
        out.println(protocol + " " + server + ": " + result.detail());
        return result.ok();
    }

    private static ServerProbe.Tls probeTls(Server server) {
        return ServerProbe.Tls.valueOf(server.tls().name());
    }

    /** {@code HOST:PORT} (an IPv6 address in brackets) with its TLS mode. */
    static Server server(String hostPort, String tls) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1 || !hostPort.substring(colon + 1).matches("[0-9]{1,5}")) {
            throw new IllegalArgumentException("not HOST:PORT: " + hostPort);
        }
        String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
        Server server = new Server(host, Integer.parseInt(hostPort.substring(colon + 1)), Tls.of(tls));
        if (server.tls() == Tls.NONE && !loopback(host)) {
            throw new IllegalArgumentException("TLS none is for servers on this machine only, not " + host);
        }
        return server;
    }

    private static boolean loopback(String host) {
        return host.equals("localhost") || host.equals("::1") || host.startsWith("127.");
    }

    private static @Nullable String text(@Nullable Server server) {
        return server == null ? null : server.toString();
    }

    private static String describe(LegacyBackend backend) {
        StringBuilder line = new StringBuilder(backend.name()).append(": imap ").append(backend.imap());
        if (backend.pop3() != null) {
            line.append(", pop3 ").append(backend.pop3());
        }
        if (backend.smtp() != null) {
            line.append(", smtp ").append(backend.smtp().host()).append(':').append(backend.smtp().port());
        }
        if (backend.manageSieve() != null) {
            line.append(", managesieve ").append(backend.manageSieve());
        }
        line.append(backend.trustPem() == null ? ", the system's CAs" : ", its own trusted certificates");
        if (backend.masterUser() != null) {
            line.append(", master user ").append(backend.masterUser());
        }
        return line.toString();
    }
}
