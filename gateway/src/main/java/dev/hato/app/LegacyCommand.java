package dev.hato.app;

import dev.hato.legacy.MasterPasswords;
import dev.hato.store.directory.Account;
import dev.hato.store.legacy.LegacyBackend;
import dev.hato.store.legacy.LegacyBackend.Server;
import dev.hato.store.legacy.LegacyBackend.Tls;
import dev.hato.store.legacy.LegacyBackends;
import dev.hato.tls.TrustedCertificates;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hato legacy add|list|remove|login}: the old mail systems a migration runs beside (issue 17), kept in the
 * store so that every node and every later step (settings import, routes, the copier) finds them by name. The
 * master user's password is read from standard input and stored sealed ({@link MasterPasswords}); it is never
 * printed.
 */
@Command(name = "legacy", mixinStandardHelpOptions = true,
        description = "Name the old mail systems a migration runs beside, and people's logins on them.")
final class LegacyCommand {

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
                sealed = MasterPasswords.of(context.properties().dataDir()).seal(name, readPassword());
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

    private String readPassword() throws IOException {
        String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        if (line == null || line.isEmpty()) {
            throw new IllegalArgumentException("no master password on standard input");
        }
        return line;
    }
}
