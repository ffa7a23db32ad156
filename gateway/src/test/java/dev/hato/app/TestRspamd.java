package dev.hato.app;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real rspamd from Debian (package rspamd) for the spam-filter tests, started on free loopback ports with the
 * Debian configuration and a local.d of its own (passed with {@code --var=LOCAL_CONFDIR}): no Redis, DNS pointed at
 * a port nothing answers (so scans do not wait for the internet), greylisting and subject rewriting off, every GTUBE
 * pattern recognised (rspamd's test strings: XJS… rejects, YJS… adds a header). Its classifier keeps its
 * statistics in a Redis of its own (Debian's redis-server, on a free port, nothing saved), so that it can learn; its
 * controller takes the password {@link #PASSWORD}. Stopped with {@link #close()}.
 */
final class TestRspamd implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/bin/rspamd");
    static final Path REDIS = Path.of("/usr/bin/redis-server");
    static final String PASSWORD = "controller-secret";
    static final String GTUBE_REJECT = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";
    static final String GTUBE_ADD_HEADER = "YJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    private final Process process;
    private final Process redis;
    private final int port;
    private final int controller;

    private TestRspamd(Process process, Process redis, int port, int controller) {
        this.process = process;
        this.redis = redis;
        this.port = port;
        this.controller = controller;
    }

    static TestRspamd start(Path directory) throws Exception {
        int port = RunningHato.freePort();
        int controller = RunningHato.freePort();
        Path local = Files.createDirectories(directory.resolve("conf/local.d"));
        for (String sub : List.of("db", "run", "log")) {
            Files.createDirectories(directory.resolve(sub));
        }
        Files.writeString(local.resolve("worker-normal.inc"), "bind_socket = \"127.0.0.1:" + port + "\";\ncount = 1;\n");
        Files.writeString(local.resolve("worker-controller.inc"), "bind_socket = \"127.0.0.1:" + controller
                + "\";\ncount = 1;\npassword = \"" + PASSWORD + "\";\nenable_password = \"" + PASSWORD + "\";\n");
        int redisPort = RunningHato.freePort();
        Process redis = new ProcessBuilder(REDIS.toString(), "--port", String.valueOf(redisPort), "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory.toString())
                .redirectErrorStream(true).redirectOutput(directory.resolve("log/redis.log").toFile()).start();
        Files.writeString(local.resolve("redis.conf"), "servers = \"127.0.0.1:" + redisPort + "\";\n");
        Files.writeString(local.resolve("classifier-bayes.conf"), "backend = \"redis\";\nservers = \"127.0.0.1:"
                + redisPort + "\";\n");
        Files.writeString(local.resolve("worker-proxy.inc"), "enabled = false;\n");
        Files.writeString(local.resolve("worker-fuzzy.inc"), "enabled = false;\n");
        // Test patterns: enable_test_patterns up to rspamd 3.7 (Debian 12 has 3.4), gtube_patterns from 3.8.
        Files.writeString(local.resolve("options.inc"), "enable_test_patterns = true;\ngtube_patterns = \"all\";\n"
                + "dns { nameserver = [\"127.0.0.1:" + RunningHato.freePort() + "\"]; timeout = 0.2s; retransmits = 1; }\n");
        Files.writeString(local.resolve("actions.conf"),
                "greylist = null;\nadd_header = 6;\nrewrite_subject = null;\nreject = 15;\n");
        Files.writeString(local.resolve("logging.inc"), "type = \"file\";\nfilename = \""
                + directory.resolve("log/rspamd.log") + "\";\nlevel = \"warning\";\n");
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "-f", "-c", "/etc/rspamd/rspamd.conf",
                "--var=LOCAL_CONFDIR=" + directory.resolve("conf"), "--var=DBDIR=" + directory.resolve("db"),
                "--var=RUNDIR=" + directory.resolve("run"), "--var=LOGDIR=" + directory.resolve("log")));
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("-u", "root", "-g", "root"));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(directory.resolve("log/stdout.log").toFile()).start();
        TestRspamd rspamd = new TestRspamd(process, redis, port, controller);
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("rspamd exited: " + Files.readString(directory.resolve("log/stdout.log")));
            }
            try {
                HttpResponse<String> pong = client.send(HttpRequest.newBuilder(URI.create(rspamd.url() + "/ping"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (pong.statusCode() == 200) {
                    return rspamd;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        rspamd.close();
        throw new IllegalStateException("rspamd did not answer within 90 s");
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    String controllerUrl() {
        return "http://127.0.0.1:" + controller;
    }

    /** How many messages the classifier has learnt ({@code GET /stat}, {@code learned}). */
    long learned() throws Exception {
        HttpResponse<String> stat = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(controllerUrl() + "/stat")).header("Password", PASSWORD).timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofString());
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(stat.body()).path("learned").asLong();
    }

    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        redis.destroy();
        if (!redis.waitFor(10, TimeUnit.SECONDS)) {
            redis.destroyForcibly();
        }
    }
}
