package dev.hato.app;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** The options every administrative command shares: where the configuration and the data are. */
final class StoreOptions {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Properties file with hato.* settings.")
    @Nullable Path config;

    @Option(names = "--data-dir", paramLabel = "DIR", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Data directory (default ./hato-data).")
    @Nullable Path dataDir;

    CliContext open() {
        return CliContext.open(config, dataDir);
    }

    /** The settings only, for commands that need no store. */
    HatoProperties properties() {
        return CliContext.properties(config, dataDir);
    }
}
