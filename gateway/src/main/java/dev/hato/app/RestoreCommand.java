package dev.hato.app;

import dev.hato.store.pg.PgRestore;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hato restore --from FILE}: loads a {@code hato backup} archive into the configured database — for the
 * embedded PostgreSQL, a new data directory given with {@code --data-dir} — which must be empty unless
 * {@code --force}. All or nothing: the rows are loaded in one transaction, checked against the archive's counts,
 * and committed only when every table arrived whole.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Load a backup written by `hato backup` into an empty database (with the embedded "
                + "PostgreSQL: a new --data-dir), then start Hato on it as usual.",
                "Refuses a database that holds rows, unless --force, and a data directory a running Hato uses."})
final class RestoreCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    StoreOptions store = new StoreOptions();

    @Option(names = "--from", paramLabel = "FILE", required = true, description = "The archive `hato backup` wrote.")
    Path from;

    @Option(names = "--force", description = "Delete every row the database holds before loading the backup.")
    boolean force;

    @Override
    public Integer call() {
        PgRestore.Summary summary;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(from), 1 << 16)) {
            summary = PgRestore.read(HatoApplication.storeSettings(store.properties()), in, force);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no such file: " + from, e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + from + ": " + e.getMessage(), e);
        }
        spec.commandLine().getOut().println("restored " + summary.totalRows() + " rows of " + summary.rows().size()
                + " tables (schema version " + summary.schemaVersion()
                + (summary.migratedTo().equals(summary.schemaVersion()) ? ""
                        : ", then migrated to " + summary.migratedTo())
                + ") into " + summary.target() + (summary.replacedRows() ? ", replacing the rows it held" : ""));
        return 0;
    }
}
