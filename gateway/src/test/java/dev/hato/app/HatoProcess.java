package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The packaged server ({@code target/hato-exec.jar}) as a separate process, for tests that kill it with SIGKILL and
 * start it again on the same data directory (DurabilityIT, FaultInjectionIT). Every listener is on 127.0.0.1: the
 * ones a test talks to on ports it chose (the same across restarts), all others on port 0, so nothing running on
 * this machine (a Hato on its default ports) can collide.
 */
final class HatoProcess implements AutoCloseable {

    static final Path JAR = Path.of("target", "hato-exec.jar").toAbsolutePath();
    static final String JAVA = ProcessHandle.current().info().command().orElse("java");
    private static final List<String> LISTENERS = List.of("smtp", "submissions", "submission", "pop3", "pop3s",
            "imap", "imaps", "http", "management", "https", "managesieve");

    private final Process process;
    private final Path log;

    private HatoProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Free ports of 127.0.0.1 for the named listeners, to keep across restarts. They are taken below the kernel's
     * ephemeral range: a port from that range can be handed to a client connection while the server is down, and the
     * restart then cannot bind it (FaultInjectionIT failed so once, "Failed to bind on [127.0.0.1:37889]").
     */
    static Map<String, Integer> ports(String... listeners) throws IOException {
        int ephemeralLow = ephemeralLow();
        java.util.Random random = new java.util.Random();
        Map<String, Integer> ports = new HashMap<>();
        for (String listener : listeners) {
            for (int attempt = 0; !ports.containsKey(listener); attempt++) {
                if (attempt > 1000) {
                    throw new IOException("no free port of 127.0.0.1 between 10000 and " + ephemeralLow);
                }
                int port = 10_000 + random.nextInt(ephemeralLow - 10_000);
                if (!ports.containsValue(port) && bindable(port)) {
                    ports.put(listener, port);
                }
            }
        }
        return ports;
    }

    /** The lowest port the kernel gives client connections (/proc/sys/net/ipv4/ip_local_port_range). */
    private static int ephemeralLow() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).strip();
            int low = Integer.parseInt(range.split("\\s+")[0]);
            return Math.max(low, 11_000);
        } catch (IOException | RuntimeException unknown) {
            return 32_768;
        }
    }

    private static boolean bindable(int port) {
        try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
            socket.bind(new java.net.InetSocketAddress("127.0.0.1", port), 1);
            return true;
        } catch (IOException inUse) {
            return false;
        }
    }

    /**
     * {@code hato serve} on {@code data}, its output in {@code work/name.log}; returns once the banner is printed
     * (at most three minutes: the first start initialises the embedded PostgreSQL).
     */
    static HatoProcess serve(Path work, Path data, String name, Map<String, Integer> ports, Map<String, String> env,
                             String... extra) throws Exception {
        Path log = work.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(JAVA, "-jar", JAR.toString(), "serve",
                "--data-dir", data.toString(), "--hato.bind-address=127.0.0.1"));
        for (String listener : LISTENERS) {
            command.add("--hato.ports." + listener + "=" + ports.getOrDefault(listener, 0));
        }
        command.addAll(List.of(extra));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains("Stop with Ctrl-C")) {
                return new HatoProcess(process, log);
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(200);
        }
        process.destroyForcibly();
        throw new AssertionError("the server did not start:\n" + Files.readString(log));
    }

    /** SIGKILL: no shutdown hook, no flush; an embedded PostgreSQL is orphaned (the next start deals with it). */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("killed server gone").isTrue();
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    /** SIGTERM: a clean shutdown, which stops an embedded PostgreSQL. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** A {@code hato} CLI command on {@code data} with {@code stdin} as its input; its standard output. */
    static String cli(Path data, Map<String, String> env, String stdin, String... args) throws Exception {
        // C1 only: a command that runs for seconds starts in about half the time without the C2 compiler.
        List<String> command = new ArrayList<>(List.of(JAVA, "-XX:TieredStopAtLevel=1", "-jar", JAR.toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--data-dir", data.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false);
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(err).isZero();
        return out;
    }

    /** The Subject of every message in a maildrop, read over POP3S with TOP (so nothing is marked or deleted). */
    static List<String> storedSubjects(int pop3sPort, String authId, String password) throws IOException {
        List<String> subjects = new ArrayList<>();
        try (SocketTransport pop = new SocketTransport(pop3sPort, true)) {
            pop.readLine();
            pop.send(("USER " + authId + "\r\nPASS " + password + "\r\nSTAT\r\n").getBytes(StandardCharsets.US_ASCII));
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

    /** Those of {@code acknowledged} that are not in {@code stored}. */
    static Set<String> missing(Set<String> acknowledged, List<String> stored) {
        Set<String> lost = new HashSet<>(acknowledged);
        stored.forEach(lost::remove);
        return lost;
    }
}
