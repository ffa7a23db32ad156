package dev.hato.app;

import dev.hato.store.pg.PgBackup;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hato backup --to FILE}: the whole database as one consistent snapshot, taken while Hato runs, in an archive
 * {@code hato restore} loads (docs/operations.md, "Backup and restore"). Needs no {@code pg_dump}: the embedded
 * PostgreSQL ships none, and one older than the server refuses to dump it. The archive is written next to FILE and
 * renamed into place only when complete, so a FILE that exists is a whole backup.
 */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Write the database (accounts, domains, aliases, mailboxes, messages, flags, DKIM keys, "
                + "queue, audit log) to FILE as one consistent snapshot, while Hato keeps running.",
                "Restore it with `hato restore --from FILE`. The TLS files and the configuration are not in it."})
final class BackupCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    StoreOptions store = new StoreOptions();

    @Option(names = "--to", paramLabel = "FILE", required = true, description = "The archive to write (a ZIP file).")
    Path to;

    @Option(names = "--force", description = "Replace FILE if it exists.")
    boolean force;

    @Override
    public Integer call() {
        Path target = to.toAbsolutePath();
        if (Files.exists(target) && !force) {
            throw new IllegalArgumentException(target + " exists; choose another name or add --force");
        }
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        PgBackup.Summary summary;
        try {
            Files.createDirectories(target.getParent());
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial,
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE),
                    1 << 16)) {
                summary = PgBackup.write(HatoApplication.storeSettings(store.properties()), out);
            }
            // On disk before it is called a backup: a power cut must not leave a FILE that is half of one.
            try (var channel = java.nio.channels.FileChannel.open(partial, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(partial);
            throw new UncheckedIOException("could not write " + target + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(partial);
            throw e;
        }
        spec.commandLine().getOut().println("backed up " + summary.totalRows() + " rows of " + summary.rows().size()
                + " tables (schema version " + summary.schemaVersion() + ") from " + summary.source() + " to "
                + target + " (" + size(target) + " bytes)");
        return 0;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the failure being reported matters more than a leftover .partial file
        }
    }
}
