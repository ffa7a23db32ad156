package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the scripts in scripts/ against the packaged jar (target/hato-exec.jar) and asserts that it finished in
 * time, exited 0 and closed with "NAME: N passed, 0 failed". Its output is printed, so a CI log shows every check.
 */
final class PackagedJarScript {

    private PackagedJarScript() { }

    static void runAndExpectNoFailure(String script, String name, long minutes) throws Exception {
        Path path = Path.of("..", "scripts", script).toAbsolutePath().normalize();
        assertThat(path).exists();
        Path jar = Path.of("target", "hato-exec.jar").toAbsolutePath();
        assertThat(jar).exists();
        Path log = Files.createTempFile("hato-" + name, ".log");
        Process process = new ProcessBuilder("bash", path.toString(), jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = process.waitFor(minutes, TimeUnit.MINUTES);
        if (!finished) {
            process.destroyForcibly();
        }
        String output = Files.readString(log);
        System.out.println(output);
        assertThat(finished).as(script + " finished in time").isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).containsPattern(name + ": \\d+ passed, 0 failed");
        Files.deleteIfExists(log);
    }
}
