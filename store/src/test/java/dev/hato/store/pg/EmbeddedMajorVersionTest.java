package dev.hato.store.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded binaries' major version: what {@link EmbeddedServer} believes it to be is what runs, and a data
 * directory another major version made is refused with what to do, before PostgreSQL is asked to start on it.
 */
class EmbeddedMajorVersionTest {

    @TempDir
    Path data;

    @Test
    void theDeclaredMajorVersionShouldBeTheOneThatRuns() throws IOException {
        try (PgStore store = PgStore.open(StoreSettings.defaults(data))) {
            assertThat(store.describe())
                    .startsWith("embedded PostgreSQL " + EmbeddedServer.BINARIES_MAJOR_VERSION + ".");
        }
        assertThat(Files.readString(data.resolve("postgres").resolve("PG_VERSION")).strip())
                .isEqualTo(String.valueOf(EmbeddedServer.BINARIES_MAJOR_VERSION));
    }

    @Test
    void aDataDirectoryOfAnotherMajorVersionShouldBeRefusedWithWhatToDo() throws IOException {
        Path cluster = Files.createDirectories(data.resolve("postgres"));
        Files.writeString(cluster.resolve("PG_VERSION"), "17\n");

        assertThatThrownBy(() -> PgStore.open(StoreSettings.defaults(data)))
                .hasStackTraceContaining("was made by PostgreSQL 17, and this Hato runs PostgreSQL "
                        + EmbeddedServer.BINARIES_MAJOR_VERSION)
                .hasStackTraceContaining("pg_upgrade");
        assertThat(cluster.resolve("postmaster.pid")).doesNotExist();
        assertThat(Files.readString(cluster.resolve("PG_VERSION"))).isEqualTo("17\n");
    }

    @Test
    void theSameMajorVersionAndANewDirectoryShouldPass() throws IOException {
        EmbeddedServer.requireSameMajorVersion(data);
        Files.writeString(data.resolve("PG_VERSION"), EmbeddedServer.BINARIES_MAJOR_VERSION + "\n");
        EmbeddedServer.requireSameMajorVersion(data);
    }
}
