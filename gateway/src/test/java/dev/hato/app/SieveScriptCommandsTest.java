package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hato sieve put|list|get|activate|delete}: people's stored scripts, managed by an administrator. */
class SieveScriptCommandsTest {

    private static final RunningHato HATO = RunningHato.shared();

    private static CliRun hato(String... args) {
        return CliRun.of(HATO.dataDir(), "", args);
    }

    @Test
    void anAdministratorShouldStoreActivateListReadAndDeleteAPersonsScripts(@TempDir Path dir) throws Exception {
        RunningHato.User ann = HATO.newUser("sieveadmin");
        Path filters = dir.resolve("filters.sieve");
        Files.writeString(filters, "require \"fileinto\";\nif header :contains \"subject\" \"[ml]\" {\n"
                + "  fileinto \"Lists\";\n}\n", StandardCharsets.UTF_8);
        Path away = dir.resolve("away.sieve");
        Files.writeString(away, "require \"vacation\";\nvacation \"不在です\";\n", StandardCharsets.UTF_8);

        CliRun put = hato("sieve", "put", ann.authId(), filters.toString(), "--activate");
        assertThat(put.status()).as(put.err()).isZero();
        assertThat(put.lines()).containsExactly("stored filters for " + ann.address() + " (active)");
        assertThat(hato("sieve", "put", ann.address(), away.toString(), "--name", "vacation").status()).isZero();

        assertThat(hato("sieve", "list", ann.authId()).lines()).containsExactly("filters (active)", "vacation");
        assertThat(hato("sieve", "get", ann.authId(), "vacation").out()).isEqualTo(Files.readString(away));
        CliRun activeDelete = hato("sieve", "delete", ann.authId(), "filters");
        assertThat(activeDelete.status()).isNotZero();
        assertThat(activeDelete.err()).contains("is active");
        assertThat(hato("sieve", "activate", ann.authId(), "vacation").status()).isZero();
        assertThat(hato("sieve", "delete", ann.authId(), "filters").status()).isZero();
        assertThat(hato("sieve", "list", ann.authId(), "--json").out())
                .contains("\"name\":\"vacation\"").contains("\"active\":true");
        assertThat(hato("sieve", "activate", ann.authId(), "--none").status()).isZero();
        assertThat(hato("sieve", "list", ann.authId()).lines()).containsExactly("vacation");
    }

    @Test
    void aScriptThatDoesNotCompileShouldBeRefusedWithItsProblemsAndNotStored(@TempDir Path dir) throws Exception {
        RunningHato.User ann = HATO.newUser("sievebad");
        Path broken = dir.resolve("broken.sieve");
        Files.writeString(broken, "keep;\nfileinto \"x\";\n", StandardCharsets.UTF_8);

        CliRun put = hato("sieve", "put", ann.authId(), broken.toString());

        assertThat(put.status()).isEqualTo(1);
        assertThat(put.out()).startsWith(broken + ":2:");
        assertThat(hato("sieve", "list", ann.authId()).lines()).isEmpty();
    }
}
