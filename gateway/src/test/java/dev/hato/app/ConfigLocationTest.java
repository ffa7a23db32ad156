package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which properties file the commands read: {@code --config}, else {@code HATO_CONFIG}, else
 * {@code /etc/hato/hato.properties} when present. The system file is played by a temporary file, so no test writes to
 * {@code /etc}.
 */
class ConfigLocationTest {

    @TempDir
    Path dir;

    @Test
    void explicitFileShouldWinOverTheEnvironmentAndTheSystemFile() throws IOException {
        Path system = Files.writeString(dir.resolve("system.properties"), "hato.host-name=system.example\n");
        Path explicit = dir.resolve("explicit.properties");

        assertThat(ConfigLocation.resolve(explicit, Map.of("HATO_CONFIG", "/elsewhere/hato.properties"), system))
                .isEqualTo(explicit);
    }

    @Test
    void environmentVariableShouldWinOverTheSystemFile() throws IOException {
        Path system = Files.writeString(dir.resolve("system.properties"), "hato.host-name=system.example\n");

        assertThat(ConfigLocation.resolve(null, Map.of("HATO_CONFIG", " /srv/hato/hato.properties "), system))
                .isEqualTo(Path.of("/srv/hato/hato.properties"));
    }

    @Test
    void systemFileShouldBeReadWhenPresentAndNothingElseIsNamed() throws IOException {
        Path system = Files.writeString(dir.resolve("system.properties"), "hato.host-name=system.example\n");

        assertThat(ConfigLocation.resolve(null, Map.of(), system)).isEqualTo(system);
        assertThat(ConfigLocation.resolve(null, Map.of("HATO_CONFIG", "  "), system)).isEqualTo(system);
    }

    @Test
    void noFileShouldBeNamedWhenTheSystemFileIsMissingOrADirectory() throws IOException {
        assertThat(ConfigLocation.resolve(null, Map.of(), dir.resolve("missing.properties"))).isNull();
        assertThat(ConfigLocation.resolve(null, Map.of(), Files.createDirectory(dir.resolve("a-directory"))))
                .isNull();
    }

    @Test
    void systemFileDefaultShouldBeTheOneTheDeploymentKitInstalls() {
        assertThat(ConfigLocation.SYSTEM_FILE).isEqualTo(Path.of("/etc/hato/hato.properties"));
    }

    /**
     * The whole path, as an operator's shell runs it: a separate JVM whose only hint is the environment. The named
     * file wins over {@code ./hato.properties}, which still supplies what the named file leaves out.
     */
    @Test
    void adminCommandShouldReadTheFileNamedByHatoConfigWithoutConfigOption() throws Exception {
        Path file = Files.writeString(dir.resolve("site.properties"), """
                hato.host-name=mail.from-hato-config.example
                hato.smtp.max-recipients=42
                """);
        Files.writeString(dir.resolve("hato.properties"), """
                hato.host-name=mail.from-working-directory.example
                hato.imap.idle-timeout=45m
                """);
        Process process = hato(Map.of("HATO_CONFIG", file.toString()), "config", "show");
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();

        assertThat(process.exitValue()).as(err).isZero();
        assertThat(out).contains("hato.host-name = mail.from-hato-config.example\n",
                "hato.smtp.max-recipients = 42\n", "hato.imap.idle-timeout = 45m\n");
    }

    @Test
    void hatoConfigNamingAMissingFileShouldFailAsAMissingConfigFileDoes() throws Exception {
        Path missing = dir.resolve("no-such.properties");
        Process process = hato(Map.of("HATO_CONFIG", missing.toString()), "config", "show");
        process.getInputStream().readAllBytes();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();

        assertThat(process.exitValue()).isEqualTo(1);
        assertThat(err).startsWith("hato: ").contains("no-such.properties");
    }

    private Process hato(Map<String, String> environment, String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Hato.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("HATO_"));
        builder.environment().putAll(environment);
        return builder.start();
    }
}
