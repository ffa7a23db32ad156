package dev.hato.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.builder.SpringApplicationBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/** {@code hato serve}: starts the gateway and keeps running until Ctrl-C (SIGINT) or SIGTERM. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Start the gateway (embedded PostgreSQL and a self-signed certificate unless configured). "
                + "Any --hato.<setting>=<value> argument overrides configuration.")
final class ServeCommand implements Callable<Integer> {

    /** Returned when the server started: main() must not exit the JVM. */
    static final int KEEP_RUNNING = -1;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Properties file with hato.* settings.")
    @Nullable Path config;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (default ./hato-data).")
    @Nullable Path dataDir;

    @Unmatched
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() {
        new SpringApplicationBuilder(HatoApplication.class)
                .registerShutdownHook(true)
                .initializers(new StrictSettings())
                .run(CliContext.arguments(config, dataDir, overrides));
        return KEEP_RUNNING;
    }
}
