package dev.hato.app;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Runs scripts/acceptance.sh (swaks, curl, Python's smtplib, poplib and imaplib, mbsync) against the packaged jar. On
 * CI the tools are installed by .ci/run and a missing tool fails the build; on a developer machine without swaks or
 * mbsync it is skipped.
 */
class AcceptanceScriptIT {

    @Test
    void acceptanceScriptShouldPassWithRealClients() throws Exception {
        boolean ci = System.getenv("CI") != null;
        boolean tools = new ProcessBuilder("sh", "-c", "command -v swaks && command -v mbsync").start().waitFor() == 0;
        if (!ci) {
            Assumptions.assumeTrue(tools, "swaks or mbsync (isync) is not installed (CI installs them)");
        }
        PackagedJarScript.runAndExpectNoFailure("acceptance.sh", "acceptance", 15);
    }
}
