package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
        Path script = Path.of("..", "scripts", "acceptance.sh").toAbsolutePath().normalize();
        Path jar = Path.of("target", "hato-exec.jar").toAbsolutePath();
        boolean ci = System.getenv("CI") != null;
        boolean tools = new ProcessBuilder("sh", "-c", "command -v swaks && command -v mbsync").start().waitFor() == 0;
        if (!ci) {
            Assumptions.assumeTrue(tools, "swaks or mbsync (isync) is not installed (CI installs them)");
        }
        assertThat(jar).exists();
        Path log = Files.createTempFile("hato-acceptance", ".log");
        Process process = new ProcessBuilder("bash", script.toString(), jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = process.waitFor(15, TimeUnit.MINUTES);
        if (!finished) {
            process.destroyForcibly();
        }
        String output = Files.readString(log);
        System.out.println(output);
        assertThat(finished).as("acceptance script finished in time").isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).containsPattern("acceptance: \\d+ passed, 0 failed");
        Files.deleteIfExists(log);
        assertThat(new File(script.toString())).exists();
    }
}
