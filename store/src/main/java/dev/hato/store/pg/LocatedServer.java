package dev.hato.store.pg;

import org.jspecify.annotations.Nullable;

/**
 * Where the store's database is for one opening: the embedded server attached to (when one runs for this data
 * directory) or started here, or the external server of the settings. Shared by the server's store, the
 * administrative commands and backup/restore, so they all find the database the same way.
 *
 * @param embedded the embedded server, or null for an external one
 */
record LocatedServer(@Nullable EmbeddedServer embedded, ServerAddress address) {

    static LocatedServer locate(StoreSettings settings) {
        if (settings.embedded()) {
            EmbeddedServer embedded = EmbeddedServer.attachOrStart(settings.embeddedDataDirectory(),
                    settings.embeddedPort());
            return new LocatedServer(embedded, ServerAddress.embedded(embedded.port(), embedded.describe()));
        }
        return new LocatedServer(null, ServerAddress.external(settings));
    }

    /** Releases an embedded server after {@code failure}, which keeps any error of the release as suppressed. */
    static void release(@Nullable EmbeddedServer embedded, Exception failure) {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (RuntimeException suppressed) {
                failure.addSuppressed(suppressed);
            }
        }
    }
}
