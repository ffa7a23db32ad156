package dev.hato.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Which properties file {@code hato serve} and every administrative command read, so that {@code hato user add} on a
 * server reads the settings the service runs with, without {@code --config} on every command line.
 *
 * <p>In this order: the file named with {@code --config}; else the file named by the {@code HATO_CONFIG} environment
 * variable (it must exist, as a {@code --config} file must); else {@code /etc/hato/hato.properties} when that file
 * exists; else none, and only {@code ./hato.properties} (imported by the built-in defaults when present) applies.
 * {@code HATO_CONFIG} also lets tests and unusual installations point away from {@code /etc}.
 */
final class ConfigLocation {

    /** The environment variable naming the properties file when no {@code --config} is given. */
    static final String ENVIRONMENT_VARIABLE = "HATO_CONFIG";

    /** The file a packaged installation keeps its settings in (see deploy/ and docs/operations.md). */
    static final Path SYSTEM_FILE = Path.of("/etc/hato/hato.properties");

    private ConfigLocation() { }

    /** The properties file to read, or null for none beyond {@code ./hato.properties}. */
    static @Nullable Path resolve(@Nullable Path explicit) {
        return resolve(explicit, System.getenv(), SYSTEM_FILE);
    }

    static @Nullable Path resolve(@Nullable Path explicit, Map<String, String> environment, Path systemFile) {
        if (explicit != null) {
            return explicit;
        }
        String named = environment.get(ENVIRONMENT_VARIABLE);
        if (named != null && !named.isBlank()) {
            return Path.of(named.strip());
        }
        return Files.isRegularFile(systemFile) ? systemFile : null;
    }
}
