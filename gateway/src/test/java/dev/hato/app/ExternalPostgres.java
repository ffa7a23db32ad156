package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A PostgreSQL 15 cluster from Debian's package (as scripts/external-pg-recovery.sh uses it), run as the
 * {@code postgres} system user with {@code runuser}, on a free port of 127.0.0.1, so a test can stop it, start it
 * again or fill its disk while Hato runs on it. Needs root; CI (.ci/run) has it and installs postgresql-15.
 */
final class ExternalPostgres implements AutoCloseable {

    static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

    private final Path dir;
    private final Path cluster;
    private final int port;

    /**
     * A new cluster in {@code cluster} (its write-ahead log in {@code walDir} when not null) with a role and database
     * {@code hato}; started. {@code dir} (the socket directory) and the parents of both must be reachable by postgres.
     */
    ExternalPostgres(Path dir, Path cluster, Path walDir) throws Exception {
        this.dir = dir;
        this.cluster = cluster;
        this.port = RunningHato.freePort();
        List<String> initdb = new ArrayList<>(List.of(BIN.resolve("initdb").toString(), "-D", cluster.toString(),
                "-U", "postgres", "--auth=trust"));
        if (walDir != null) {
            initdb.add("--waldir=" + walDir);
        }
        asPostgres(initdb.toArray(String[]::new));
        start();
        asPostgres(BIN.resolve("psql").toString(), "-h", dir.toString(), "-p", String.valueOf(port), "-U",
                "postgres", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", "CREATE ROLE hato LOGIN PASSWORD 'hato-pg-1'",
                "-c", "CREATE DATABASE hato OWNER hato");
    }

    /** Skips the test without PostgreSQL 15 or root, except on CI, where their absence fails it. */
    static void assumeAvailable() {
        if (System.getenv("CI") == null) {
            Assumptions.assumeTrue(Files.isExecutable(BIN.resolve("initdb"))
                    && "root".equals(System.getProperty("user.name")),
                    "PostgreSQL 15 and root are needed (CI has them)");
        }
    }

    /** A new directory under /tmp owned by postgres (JUnit's temporary directories are closed to it). */
    static Path directory(String prefix) throws Exception {
        Path dir = Files.createTempDirectory(prefix);
        run("chown", "postgres:", dir.toString());
        return dir;
    }

    /** What Hato and its CLI need in their environment to use this database. */
    Map<String, String> env() {
        return Map.of("HATO_STORE_URL", "r2dbc:postgresql://127.0.0.1:" + port + "/hato",
                "HATO_STORE_USERNAME", "hato", "HATO_STORE_PASSWORD", "hato-pg-1");
    }

    void start() throws Exception {
        asPostgres(BIN.resolve("pg_ctl").toString(), "-D", cluster.toString(), "-l", log().toString(),
                "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1", "-w", "start");
    }

    /** {@code pg_ctl stop -m mode}: {@code fast} or {@code immediate} (no checkpoint: crash recovery at start). */
    void stop(String mode) throws Exception {
        asPostgres(BIN.resolve("pg_ctl").toString(), "-D", cluster.toString(), "-m", mode, "-w", "stop");
    }

    /** The server log, in {@code dir} (not beside the cluster, which may be on a full disk). */
    private Path log() {
        return dir.resolve(cluster.getFileName() + ".log");
    }

    /** The server log. */
    String fullLog() throws IOException {
        return Files.exists(log()) ? Files.readString(log()) : "";
    }

    /** The end of the server log. */
    String logTail() throws IOException {
        String log = fullLog();
        return log.substring(Math.max(0, log.length() - 4_000));
    }

    @Override
    public void close() throws Exception {
        if (Files.exists(cluster.resolve("postmaster.pid"))) {
            try {
                stop("immediate");
            } catch (AssertionError alreadyGone) {
                // a server that is not running any more: nothing to stop
            }
        }
    }

    private static void asPostgres(String... command) throws Exception {
        List<String> runuser = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        runuser.addAll(List.of(command));
        run(runuser.toArray(String[]::new));
    }

    /** Runs a command (two minutes at most); it must succeed. */
    static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        // pg_ctl start leaves the server holding no pipe of ours (its output goes to -l), so this read ends.
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ":\n" + out).isZero();
        return out;
    }
}
