package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Replays the hostile-input probes of docs/security.md (scripts/security-probes.sh, Python's standard library only)
 * against the packaged jar, so that the table in that document stays true.
 */
class SecurityProbesIT {

    @Test
    void everyProbeOfTheSecurityDocumentShouldBeAnsweredAsDocumented() throws Exception {
        Path script = Path.of("..", "scripts", "security-probes.sh").toAbsolutePath().normalize();
        Path jar = Path.of("target", "hato-exec.jar").toAbsolutePath();
        assertThat(jar).exists();
        Path log = Files.createTempFile("hato-probes", ".log");
        Process process = new ProcessBuilder("bash", script.toString(), jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = process.waitFor(10, TimeUnit.MINUTES);
        if (!finished) {
            process.destroyForcibly();
        }
        String output = Files.readString(log);
        System.out.println(output);
        assertThat(finished).as("the probes finished in time").isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).containsPattern("security-probes: \\d+ passed, 0 failed");
        Files.deleteIfExists(log);
    }
}
