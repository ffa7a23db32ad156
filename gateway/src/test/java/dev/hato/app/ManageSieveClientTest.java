package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's ManageSieve client, sieve-connect, against the running server: STARTTLS with the self-signed certificate
 * ({@code --notlsverify}), AUTHENTICATE PLAIN by auth ID, then upload, check, list, activate, download, deactivate
 * and delete, as a person managing their filters would; a refused upload with the compiler's problems; last a script
 * uploaded and activated that files the next message delivered over SMTP. On CI the client is installed by .ci/run
 * and its absence fails the test; elsewhere the test is skipped without it.
 */
class ManageSieveClientTest {

    private static final String CLIENT = "/usr/bin/sieve-connect";
    private static final String SCRIPT = "require [\"fileinto\", \"mailbox\"];\r\n"
            + "if header :contains \"subject\" \"[list]\" {\r\n  fileinto :create \"Lists\";\r\n}\r\n";

    @Test
    void sieveConnectShouldManageScriptsThroughStartTls(@TempDir Path dir) throws Exception {
        if (System.getenv("CI") == null) {
            Assumptions.assumeTrue(Files.isExecutable(Path.of(CLIENT)), "sieve-connect is not installed");
        }
        RunningHato hato = RunningHato.shared();
        RunningHato.User user = hato.newUser("sieve");
        int port = hato.port("managesieve");
        Path local = dir.resolve("lists.sieve");
        Files.writeString(local, SCRIPT);
        Path broken = dir.resolve("broken.sieve");
        Files.writeString(broken, "require \"nonsense\";\r\nkeep;\r\n");
        Path downloaded = dir.resolve("downloaded.sieve");

        // One connection for the whole round, as a person's session in sieve-connect's shell would be.
        Path commands = dir.resolve("commands");
        Files.writeString(commands, String.join("\n", "upload " + local + " lists", "checkscript " + local, "list",
                "activate lists", "list", "download lists " + downloaded, "delete lists", "deactivate",
                "delete lists", "list", "quit", ""));
        Result round = run(port, user, "--exec", commands.toString());
        assertThat(round.output.lines().filter(line -> line.startsWith("\"")).toList())
                .containsExactly("\"lists\"", "\"lists\" ACTIVE");
        assertThat(round.output).contains("DELETESCRIPT(lists) failed: NO (ACTIVE)");
        assertThat(Files.readString(downloaded)).isEqualTo(SCRIPT);

        Result refused = run(port, user, "--upload", "--localsieve", broken.toString(), "--remotesieve", "broken");
        assertThat(refused.status).isNotZero();
        assertThat(refused.output).contains("line 1, column 9").contains("nonsense");
        assertThat(run(port, user, "--list").output).doesNotContain("broken").doesNotContain("lists");

        // Uploaded and activated over ManageSieve, the script files the next message at once.
        Files.writeString(commands, String.join("\n", "upload " + local + " lists", "activate lists", "quit", ""));
        assertThat(run(port, user, "--exec", commands.toString()).status).isZero();
        assertThat(SmtpLines.send(hato.port("smtp"), "MAIL FROM:<someone@example.org>", "RCPT TO:<" + user.address()
                + ">", "DATA", "Subject: [list] weekly digest\r\n\r\nnews\r\n.")).last().asString().startsWith("250");
        assertThat(hato.store().mailboxes().find(user.accountId(), "Lists")
                .flatMapMany(box -> hato.store().mailboxes().messages(user.accountId(), box.id()))
                .collectList().block(java.time.Duration.ofSeconds(30))).hasSize(1);
    }

    private record Result(int status, String output) { }

    /** One sieve-connect run; the password goes in on standard input (--passwordfd 0), never on the command line. */
    private static Result run(int port, RunningHato.User user, String... action) throws IOException,
            InterruptedException {
        List<String> command = new ArrayList<>(List.of(CLIENT, "--server", "127.0.0.1", "--port",
                Integer.toString(port), "--nosrv", "--notlsverify", "--noclearchan", "--authmech", "PLAIN", "--user",
                user.authId(), "--passwordfd", "0"));
        command.addAll(List.of(action));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write((user.password() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("sieve-connect " + String.join(" ", action) + " did not finish in 30 s");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.exitValue(), output);
    }
}
