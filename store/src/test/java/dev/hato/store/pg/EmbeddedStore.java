package dev.hato.store.pg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real embedded PostgreSQL for one test class, in a fresh data directory, opened before its first test and closed
 * after its last: {@code @RegisterExtension static final EmbeddedStore STORE = new EmbeddedStore();}.
 */
final class EmbeddedStore implements BeforeAllCallback, AfterAllCallback {

    private Path dataDirectory;
    private PgStore store;

    @Override
    public void beforeAll(ExtensionContext context) {
        try {
            dataDirectory = Files.createTempDirectory("hato-store-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        store = PgStore.open(StoreSettings.defaults(dataDirectory));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (store != null) {
            store.close();
        }
    }

    PgStore store() {
        return store;
    }

    Path dataDirectory() {
        return dataDirectory;
    }
}
