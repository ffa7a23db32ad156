package dev.hato.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A throwaway Dovecot with Pigeonhole's ManageSieve (Debian's dovecot-managesieved), IMAP and POP3, as the old system
 * a site moves from: STARTTLS with a self-signed certificate for 127.0.0.1, people in a passwd file, a master user, and each
 * person's scripts placed in their Sieve storage before it starts. Mail processes run as nobody. Needs root, as CI
 * has.
 */
final class LegacyDovecot implements AutoCloseable {

    static final String MASTER = "migration-admin";
    static final String MASTER_PASSWORD = "master-pw-" + System.nanoTime();

    private final Path dir;
    private final int port;
    private final int imapPort;
    private final int pop3Port;

    private LegacyDovecot(Path dir, int port, int imapPort, int pop3Port) {
        this.dir = dir;
        this.port = port;
        this.imapPort = imapPort;
        this.pop3Port = pop3Port;
    }

    /** Whether Debian's Dovecot with ManageSieve is installed here. */
    static boolean installed() {
        return Files.isExecutable(Path.of("/usr/sbin/dovecot"))
                && Files.exists(Path.of("/usr/lib/dovecot/managesieve"))
                && Files.exists(Path.of("/usr/lib/dovecot/imap")) && Files.exists(Path.of("/usr/lib/dovecot/pop3"));
    }

    /**
     * Starts Dovecot in {@code dir} with {@code people} (login to password) and their {@code scripts} (login to
     * script name to text; the first of each person's is active).
     */
    static LegacyDovecot start(Path dir, Map<String, String> people, Map<String, Map<String, String>> scripts)
            throws Exception {
        int port = RunningHato.freePort();
        int imapPort = RunningHato.freePort();
        int pop3Port = RunningHato.freePort();
        Files.createDirectories(dir.resolve("run"));
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", dir.resolve("key.pem").toString(),
                "-out", dir.resolve("cert.pem").toString());
        StringBuilder passwd = new StringBuilder();
        people.forEach((login, password) -> passwd.append(login).append(":{PLAIN}").append(password).append('\n'));
        Files.writeString(dir.resolve("passwd"), passwd);
        Files.writeString(dir.resolve("masters"), MASTER + ":{PLAIN}" + MASTER_PASSWORD + "\n");
        for (Map.Entry<String, Map<String, String>> person : scripts.entrySet()) {
            Path home = dir.resolve("home").resolve(person.getKey());
            Files.createDirectories(home.resolve("sieve"));
            String active = null;
            for (Map.Entry<String, String> script : person.getValue().entrySet()) {
                Files.writeString(home.resolve("sieve").resolve(script.getKey() + ".sieve"), script.getValue(),
                        StandardCharsets.UTF_8);
                active = active == null ? script.getKey() : active;
            }
            if (active != null) {
                Files.createSymbolicLink(home.resolve(".dovecot.sieve"), Path.of("sieve", active + ".sieve"));
            }
        }
        Files.createDirectories(dir.resolve("home"));
        Files.writeString(dir.resolve("dovecot.conf"), String.join("\n", List.of(
                "base_dir = " + dir.resolve("run"),
                "instance_name = hato-legacy-" + port,
                "state_dir = " + dir.resolve("run/state"),
                "log_path = " + dir.resolve("dovecot.log"),
                "protocols = sieve imap pop3",
                "listen = 127.0.0.1",
                "ssl = yes",
                "ssl_cert = <" + dir.resolve("cert.pem"),
                "ssl_key = <" + dir.resolve("key.pem"),
                "ssl_dh = </usr/share/dovecot/dh.pem",
                "auth_mechanisms = plain",
                "passdb {", "  driver = passwd-file", "  master = yes", "  args = scheme=PLAIN " + dir.resolve("masters"),
                "}",
                "passdb {", "  driver = passwd-file", "  args = scheme=PLAIN " + dir.resolve("passwd"), "}",
                "userdb {", "  driver = static", "  args = uid=65534 gid=65534 home=" + dir.resolve("home") + "/%u",
                "}",
                "mail_location = maildir:~/Maildir",
                "first_valid_uid = 1",
                "service managesieve-login {", "  inet_listener sieve {", "    address = 127.0.0.1",
                "    port = " + port, "  }", "}",
                "service imap-login {", "  inet_listener imap {", "    address = 127.0.0.1",
                "    port = " + imapPort, "  }", "  inet_listener imaps {", "    port = 0", "  }", "}",
                "service pop3-login {", "  inet_listener pop3 {", "    address = 127.0.0.1",
                "    port = " + pop3Port, "  }", "  inet_listener pop3s {", "    port = 0", "  }", "}",
                "plugin {", "  sieve = file:~/sieve;active=~/.dovecot.sieve", "}", "")));
        // Dovecot's auth process (user dovecot) reads the password files; mail processes run as nobody.
        // (a test's temporary directory is the owner's only: Dovecot's users must pass through it)
        run(dir, "chmod", "755", dir.toString(), dir.toAbsolutePath().getParent().toString());
        run(dir, "chmod", "644", dir.resolve("passwd").toString(), dir.resolve("masters").toString());
        run(dir, "chown", "-R", "65534:65534", dir.resolve("home").toString());
        run(dir, "dovecot", "-c", dir.resolve("dovecot.conf").toString());
        LegacyDovecot dovecot = new LegacyDovecot(dir, port, imapPort, pop3Port);
        Eventually.until(() -> Files.exists(dir.resolve("run/master.pid")), "Dovecot to start", Duration.ofSeconds(20));
        return dovecot;
    }

    /** ManageSieve's port (STARTTLS). */
    int port() {
        return port;
    }

    /** IMAP's port (STARTTLS). */
    int imapPort() {
        return imapPort;
    }

    /** POP3's port (STLS). */
    int pop3Port() {
        return pop3Port;
    }

    /**
     * {@code hato legacy add NAME} for this Dovecot in the Hato of {@code dataDir}: IMAP (and with {@code pop3} POP3)
     * with STARTTLS, its certificate trusted, the master user; the command's run (status 0 when added).
     */
    CliRun addTo(Path dataDir, String name, boolean pop3) {
        return addTo(dataDir, name, pop3, false);
    }

    /** As above; with {@code manageSieve}, its ManageSieve server too. */
    CliRun addTo(Path dataDir, String name, boolean pop3, boolean manageSieve) {
        java.util.List<String> args = new java.util.ArrayList<>(List.of("legacy", "add", name, "--imap",
                "127.0.0.1:" + imapPort, "--imap-tls", "starttls"));
        if (pop3) {
            args.addAll(List.of("--pop3", "127.0.0.1:" + pop3Port, "--pop3-tls", "starttls"));
        }
        if (manageSieve) {
            args.addAll(List.of("--managesieve", "127.0.0.1:" + port, "--managesieve-tls", "starttls"));
        }
        args.addAll(List.of("--trust", certificate().toString(), "--master-user", MASTER, "--master-password-stdin"));
        return CliRun.of(dataDir, MASTER_PASSWORD + "\n", args.toArray(String[]::new));
    }

    /** Dovecot's self-signed certificate, to trust. */
    Path certificate() {
        return dir.resolve("cert.pem");
    }

    @Override
    public void close() throws Exception {
        run(dir, "doveadm", "-c", dir.resolve("dovecot.conf").toString(), "stop");
    }

    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("commands.log").toFile()).start();
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: "
                    + Files.readString(dir.resolve("commands.log")));
        }
    }
}
