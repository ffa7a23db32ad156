package dev.hato.app;

import dev.hato.auth.PasswordHasher;
import dev.hato.provisioning.Provisioning;
import dev.hato.store.pg.PgStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * What an administrative command works with: the same configuration as the server (same files, environment and
 * overrides) and the store — attached to the running server's embedded PostgreSQL when there is one.
 */
final class CliContext implements AutoCloseable {

    private final ConfigurableApplicationContext spring;
    private final PgStore store;
    private final Scheduler hashing;

    private CliContext(ConfigurableApplicationContext spring, PgStore store, Scheduler hashing) {
        this.spring = spring;
        this.store = store;
        this.hashing = hashing;
    }

    static CliContext open(@Nullable Path config, @Nullable Path dataDir) {
        ConfigurableApplicationContext spring = settings(config, dataDir);
        try {
            HatoProperties properties = spring.getBean(HatoProperties.class);
            PgStore store = PgStore.open(HatoApplication.storeSettings(properties));
            return new CliContext(spring, store, Schedulers.newBoundedElastic(2, 100, "hato-cli"));
        } catch (RuntimeException e) {
            spring.close();
            throw e;
        }
    }

    /** The settings alone, bound and checked as the server binds them; nothing is started. */
    static HatoProperties properties(@Nullable Path config, @Nullable Path dataDir) {
        try (ConfigurableApplicationContext spring = settings(config, dataDir)) {
            return spring.getBean(HatoProperties.class);
        }
    }

    private static ConfigurableApplicationContext settings(@Nullable Path config, @Nullable Path dataDir) {
        return new SpringApplicationBuilder(Configuration.class)
                .web(WebApplicationType.NONE)
                .initializers(new StrictSettings())
                .logStartupInfo(false)
                .properties("logging.level.root=WARN", "spring.main.banner-mode=off")
                .run(arguments(config, dataDir, List.of()));
    }

    /**
     * Spring Boot arguments for the settings: the properties file ({@code --config}, else {@link ConfigLocation}'s
     * {@code HATO_CONFIG} or {@code /etc/hato/hato.properties}), the data directory, then the overrides.
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

    /** The store itself, for commands that need more than provisioning (e.g. the audit log). */
    HatoProperties properties() {
        return spring.getBean(HatoProperties.class);
    }

    PgStore store() {
        return store;
    }

    Provisioning provisioning() {
        return new Provisioning(store.directory(), PasswordHasher.DEFAULT, hashing);
    }

    @Override
    public void close() {
        try {
            store.close();
        } finally {
            hashing.dispose();
            spring.close();
        }
    }

    @SpringBootConfiguration
    @EnableConfigurationProperties(HatoProperties.class)
    static class Configuration { }
}
