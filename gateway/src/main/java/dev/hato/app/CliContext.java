package dev.hato.app;

import dev.hato.auth.PasswordHasher;
import dev.hato.provisioning.Provisioning;
import dev.hato.store.pg.PgStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * What an administrative command works with: the same configuration as the server (same files, environment and
 * overrides, bound by {@link CliSettings} without an application context) and the store — attached to the running
 * server's embedded PostgreSQL when there is one, its schema checked rather than migrated
 * ({@link PgStore#openForAdministration}). A command should start in well under a second; see docs/operations.md.
 */
final class CliContext implements AutoCloseable {

    private static volatile boolean storeOpened;

    private final HatoProperties properties;
    private final PgStore store;
    private @Nullable Scheduler hashing;

    private CliContext(HatoProperties properties, PgStore store) {
        this.properties = properties;
        this.store = store;
    }

    static CliContext open(@Nullable Path config, @Nullable Path dataDir) {
        HatoProperties properties = properties(config, dataDir);
        storeOpened = true;
        return new CliContext(properties, PgStore.openForAdministration(HatoApplication.storeSettings(properties)));
    }

    /**
     * Stops Reactor Netty's shared event loops, which the store's connections ran on, when the process is about to
     * exit. Their threads wait in native code ({@code epoll_wait}), and the JVM gives threads in native code up to 300
     * ms to settle before it exits: a third of a short command's time. Never while anything else in the JVM may still
     * use them (the tests run commands beside a server), so only from {@link Hato#main}.
     */
    static void stopEventLoops() {
        if (storeOpened) {
            reactor.netty.tcp.TcpResources.disposeLoopsAndConnectionsLater(Duration.ZERO, Duration.ofSeconds(1))
                    .block(Duration.ofSeconds(2));
        }
    }

    /** The settings alone, bound and checked as the server binds them; nothing is started. */
    static HatoProperties properties(@Nullable Path config, @Nullable Path dataDir) {
        return CliSettings.bind(arguments(config, dataDir, List.of()));
    }

    /**
     * The Spring Boot arguments that say where the settings come from, for {@code hato serve} and the administrative
     * commands alike (the one place the configuration file's location is decided): the properties file
     * ({@code --config}, else {@link ConfigLocation}'s {@code HATO_CONFIG} or {@code /etc/hato/hato.properties}),
     * the data directory, then the overrides.
     */
    static String[] arguments(@Nullable Path config, @Nullable Path dataDir, List<String> overrides) {
        List<String> arguments = new ArrayList<>();
        Path file = ConfigLocation.resolve(config);
        if (file != null) {
            arguments.add("--spring.config.additional-location=file:" + file.toAbsolutePath());
        }
        if (dataDir != null) {
            arguments.add("--hato.data-dir=" + dataDir.toAbsolutePath());
        }
        arguments.addAll(overrides);
        return arguments.toArray(String[]::new);
    }

    HatoProperties properties() {
        return properties;
    }

    /** The store itself, for commands that need more than provisioning (e.g. the audit log). */
    PgStore store() {
        return store;
    }

    /** Accounts, domains and aliases; password hashing runs on threads of its own, started on first use. */
    synchronized Provisioning provisioning() {
        if (hashing == null) {
            hashing = Schedulers.newBoundedElastic(2, 100, "hato-cli");
        }
        return new Provisioning(store.directory(), PasswordHasher.DEFAULT, hashing);
    }

    @Override
    public void close() {
        try {
            store.close();
        } finally {
            synchronized (this) {
                if (hashing != null) {
                    hashing.dispose();
                }
            }
        }
    }

    /**
     * The settings bound by an application context, as {@code hato serve} binds them: what StrictSettingsTest
     * compares {@link CliSettings} with.
     */
    @SpringBootConfiguration
    @EnableConfigurationProperties(HatoProperties.class)
    static class Configuration { }
}
