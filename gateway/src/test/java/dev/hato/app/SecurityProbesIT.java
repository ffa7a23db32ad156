package dev.hato.app;

import org.junit.jupiter.api.Test;

/**
 * Replays the hostile-input probes of docs/security.md (scripts/security-probes.sh, Python's standard library only)
 * against the packaged jar, so that the table in that document stays true.
 */
class SecurityProbesIT {

    @Test
    void everyProbeOfTheSecurityDocumentShouldBeAnsweredAsDocumented() throws Exception {
        PackagedJarScript.runAndExpectNoFailure("security-probes.sh", "security-probes", 10);
    }
}
