package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Never lose what was acknowledged", proven the hard way: the packaged server is killed with SIGKILL while 20
 * clients are sending, then restarted on the same data directory; every message that got a 250 must be there.
 */
class DurabilityIT {

    @TempDir
    Path work;

    private final Path jar = Path.of("target", "hato-exec.jar").toAbsolutePath();
    private final String java = ProcessHandle.current().info().command().orElse("java");

    @Test
    void killDashNineDuringTwentyConcurrentSendersShouldLoseNoAcknowledgedMessage() throws Exception {
        Path data = work.resolve("data");
        int smtpPort = RunningHato.freePort();
        int pop3sPort = RunningHato.freePort();
        Process server = serve(data, smtpPort, pop3sPort, "first");
        String authId;
        try {
            cli(data, "domain", "add", "durable.test");
            authId = cli(data, "user", "add", "box@durable.test", "--password-stdin").trim();
        } catch (Exception e) {
            server.destroyForcibly();
            throw e;
        }

        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean sending = new AtomicBoolean(true);
        ExecutorService senders = Executors.newFixedThreadPool(20);
        for (int s = 0; s < 20; s++) {
            int sender = s;
            senders.submit(() -> send(smtpPort, sender, sending, acknowledged));
        }
        // Kill in the middle of the load: once a good number of messages were acknowledged (bounded in time, so a
        // slow, shared machine waits longer instead of killing before anything was committed).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        Thread.sleep(2_000);
        while (acknowledged.size() <= 100 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        server.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, the embedded PostgreSQL is orphaned
        server.waitFor(30, TimeUnit.SECONDS);
        sending.set(false);
        senders.shutdown();
        assertThat(senders.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        assertThat(acknowledged).as("messages acknowledged before the kill").hasSizeGreaterThan(20);

        Process again = serve(data, smtpPort, pop3sPort, "second");
        try {
            Set<String> stored = storedSubjects(pop3sPort, authId);
            Set<String> lost = new HashSet<>(acknowledged);
            lost.removeAll(stored);
            System.out.printf("acknowledged %d, stored %d, lost %d%n", acknowledged.size(), stored.size(),
                    lost.size());
            assertThat(lost).as("acknowledged with 250 but not stored").isEmpty();
        } finally {
            again.destroy(); // SIGTERM: clean shutdown, stops the embedded PostgreSQL
            again.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private static void send(int port, int sender, AtomicBoolean sending, Set<String> acknowledged) {
        int n = 0;
        while (sending.get()) {
            try (SocketTransport smtp = new SocketTransport(port, false)) {
                smtp.readLine();
                smtp.send("HELO sender.test\r\n".getBytes(StandardCharsets.US_ASCII));
                smtp.readLine();
                while (sending.get()) {
                    String id = "m-" + sender + "-" + n++;
                    smtp.send(("MAIL FROM:<load@sender.test>\r\nRCPT TO:<box@durable.test>\r\nDATA\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    smtp.readLine();
                    smtp.readLine();
                    smtp.readLine();
                    smtp.send(("Subject: " + id + "\r\n\r\n" + "y".repeat(2_000) + "\r\n.\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    if (smtp.readLine().startsWith("250 ")) {
                        acknowledged.add(id);
                    }
                }
            } catch (Exception connectionLost) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private Set<String> storedSubjects(int pop3sPort, String authId) throws Exception {
        Set<String> subjects = new HashSet<>();
        try (SocketTransport pop = new SocketTransport(pop3sPort, true)) {
            pop.readLine();
            pop.send(("USER " + authId + "\r\nPASS durable-secret-1\r\nSTAT\r\n").getBytes(StandardCharsets.US_ASCII));
            pop.readLine();
            assertThat(pop.readLine()).startsWith("+OK Logged in");
            int count = Integer.parseInt(pop.readLine().split(" ")[1]);
            for (int i = 1; i <= count; i++) {
                pop.send(("TOP " + i + " 0\r\n").getBytes(StandardCharsets.US_ASCII));
                for (String line = pop.readLine(); !line.equals("."); line = pop.readLine()) {
                    if (line.startsWith("Subject: ")) {
                        subjects.add(line.substring(9));
                    }
                }
            }
            pop.send("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return subjects;
    }

    private Process serve(Path data, int smtpPort, int pop3sPort, String name) throws Exception {
        Path log = work.resolve(name + ".log");
        // Every listener on 127.0.0.1: the two the test talks to on ports it chose (the same across the restart),
        // all others on port 0, so nothing running on this machine (a Hato on its default ports) can collide.
        List<String> command = new ArrayList<>(List.of(java, "-jar", jar.toString(), "serve",
                "--data-dir", data.toString(), "--hato.bind-address=127.0.0.1",
                "--hato.ports.smtp=" + smtpPort, "--hato.ports.pop3s=" + pop3sPort,
                "--hato.ports.submissions=0", "--hato.ports.submission=0", "--hato.ports.pop3=0",
                "--hato.ports.imap=0", "--hato.ports.imaps=0", "--hato.ports.http=0", "--hato.ports.management=0",
                "--hato.ports.https=0"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains("Stop with Ctrl-C")) {
                return process;
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(200);
        }
        process.destroyForcibly();
        throw new AssertionError("the server did not start:\n" + Files.readString(log));
    }

    private String cli(Path data, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(java, "-jar", jar.toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--data-dir", data.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        process.getOutputStream().write("durable-secret-1\n".getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(err).isZero();
        return out;
    }
}
