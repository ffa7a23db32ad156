package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.contacts.AddressBooks;
import dev.hato.store.contacts.Contact;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real CardDAV client from Debian, vdirsyncer, against the running server: it finds the address book from the
 * server's root through {@code /.well-known/carddav}, then syncs contacts both ways (a contact made on each side, one
 * removed on the client, one changed on the server). The server's self-signed certificate is pinned by fingerprint.
 */
class VdirsyncerTest {

    static final Path VDIRSYNCER = Path.of("/usr/bin/vdirsyncer");
    private static final String BOOK = "/dav/addressbooks/default/";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void vdirsyncerShouldSyncContactsBothWays() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(VDIRSYNCER),
                "skipped: Debian's vdirsyncer is not installed (/usr/bin/vdirsyncer); .ci/run installs it");
        RunningHato hato = RunningHato.shared();
        RunningHato.User ann = hato.newUser("vdir");
        DavClient dav = new DavClient(hato.httpsPort(), ann.authId(), ann.password());
        assertThat(dav.put(BOOK + "taro.vcf", card("3.0", "taro-1", "山田 太郎", "taro@example.jp"), Map.of())
                .status()).isEqualTo(201);
        assertThat(dav.put(BOOK + "alice.vcf", card("4.0", "alice-1", "Alice Smith", "alice@example.org"), Map.of())
                .status()).isEqualTo(201);
        Path config = config(hato.httpsPort(), ann);
        Path local = dir.resolve("local").resolve(AddressBooks.DEFAULT);

        run(config, "discover", "contacts");
        run(config, "sync");
        assertThat(texts(local)).hasSize(2).anySatisfy(text -> assertThat(text).contains("山田 太郎"));

        Files.writeString(local.resolve("hanako-1.vcf"), card("3.0", "hanako-1", "佐藤 花子", "hanako@example.jp"));
        try (Stream<Path> files = Files.list(local)) {
            for (Path file : files.toList()) {
                if (Files.readString(file).contains("alice-1")) {
                    Files.delete(file);
                }
            }
        }
        assertThat(dav.put(BOOK + "taro.vcf", card("3.0", "taro-1", "山田 太郎", "taro@example.com"), Map.of())
                .status()).isEqualTo(204);
        run(config, "sync");

        List<Contact> onServer = hato.store().addressBooks().contacts(ann.accountId(), AddressBooks.DEFAULT)
                .collectList().block(WAIT);
        assertThat(onServer).extracting(contact -> contact.card().displayName())
                .containsExactlyInAnyOrder("山田 太郎", "佐藤 花子");
        assertThat(texts(local)).hasSize(2).anySatisfy(text -> assertThat(text).contains("taro@example.com"));
    }

    private static String card(String version, String uid, String name, String email) {
        return "BEGIN:VCARD\r\nVERSION:" + version + "\r\nUID:" + uid + "\r\nFN:" + name + "\r\nN:" + name
                + ";;;;\r\nEMAIL:" + email + "\r\nEND:VCARD\r\n";
    }

    private Path config(int port, RunningHato.User user) throws Exception {
        Path config = dir.resolve("config");
        Files.writeString(config, String.join("\n",
                "[general]",
                "status_path = \"" + dir.resolve("status") + "/\"",
                "",
                "[pair contacts]",
                "a = \"hato\"",
                "b = \"local\"",
                "collections = [\"from a\"]",
                "conflict_resolution = \"a wins\"",
                "",
                "[storage hato]",
                "type = \"carddav\"",
                "url = \"https://127.0.0.1:" + port + "/\"",
                "username = \"" + user.authId() + "\"",
                "password = \"" + user.password() + "\"",
                "verify_fingerprint = \"" + fingerprint(port) + "\"",
                "",
                "[storage local]",
                "type = \"filesystem\"",
                "path = \"" + dir.resolve("local") + "/\"",
                "fileext = \".vcf\"",
                ""));
        return config;
    }

    /** The SHA-256 fingerprint of the certificate the server presents, as vdirsyncer pins it. */
    private static String fingerprint(int port) throws Exception {
        try (SSLSocket socket = (SSLSocket) SocketTransport.trustAll().getSocketFactory()
                .createSocket("127.0.0.1", port)) {
            socket.startHandshake();
            byte[] certificate = socket.getSession().getPeerCertificates()[0].getEncoded();
            return HexFormat.ofDelimiter(":").withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(certificate));
        }
    }

    /** Runs vdirsyncer; it asks before making the local collection, and is told yes. */
    private void run(Path config, String... command) throws IOException, InterruptedException {
        List<String> args = new java.util.ArrayList<>(List.of(VDIRSYNCER.toString(), "-c", config.toString()));
        args.addAll(List.of(command));
        Process process = new ProcessBuilder(args).redirectErrorStream(true)
                .redirectOutput(dir.resolve("vdirsyncer.log").toFile()).start();
        process.getOutputStream().write("y\ny\ny\n".getBytes(StandardCharsets.US_ASCII));
        process.getOutputStream().close();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("vdirsyncer finished").isTrue();
        assertThat(process.exitValue()).as("vdirsyncer %s: %s", String.join(" ", command),
                Files.readString(dir.resolve("vdirsyncer.log"))).isZero();
    }

    private static List<String> texts(Path local) throws IOException {
        try (Stream<Path> files = Files.list(local)) {
            return files.filter(file -> file.toString().endsWith(".vcf")).map(file -> {
                try {
                    return Files.readString(file);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).collect(Collectors.toList());
        }
    }
}
