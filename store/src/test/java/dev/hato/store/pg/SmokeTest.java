package dev.hato.store.pg;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {
    @Test
    void smoke(@TempDir Path dir) {
        try (PgStore store = PgStore.open(StoreSettings.defaults(dir))) {
            System.out.println(store.describe());
            System.out.println(store.directory().addDomain("example.org").block());
        }
    }
}
