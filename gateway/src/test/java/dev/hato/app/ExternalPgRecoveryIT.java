package dev.hato.app;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Runs scripts/external-pg-recovery.sh against the packaged jar: the pg_dump and point-in-time-recovery recipes of
 * docs/operations.md with Hato on a PostgreSQL 15 from Debian. On CI (.ci/run installs postgresql-15 and runs as
 * root) a missing tool fails the build; elsewhere, without them or without root, it is skipped.
 */
class ExternalPgRecoveryIT {

    @Test
    void pgDumpAndPointInTimeRecoveryShouldBringBackTheMail() throws Exception {
        boolean ci = System.getenv("CI") != null;
        boolean tools = Files.isExecutable(Path.of("/usr/lib/postgresql/15/bin/initdb"))
                && new ProcessBuilder("sh", "-c", "command -v swaks && command -v curl && command -v runuser")
                .start().waitFor() == 0;
        if (!ci) {
            Assumptions.assumeTrue(tools && "root".equals(System.getProperty("user.name")),
                    "PostgreSQL 15, swaks, curl and root are needed (CI has them)");
        }
        PackagedJarScript.runAndExpectNoFailure("external-pg-recovery.sh", "external-pg-recovery", 10);
    }
}
