package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment kit in {@code deploy/}: the systemd unit carries exactly the keys meant (a mistyped key is only a
 * warning to systemd, and the service would run without that protection), it agrees with the example settings and
 * with {@link ConfigLocation}, and the example settings pass the same strict check as {@code hato serve}.
 */
class DeploymentKitTest {

    private static final Path UNIT = Path.of("../deploy/systemd/hato.service");
    private static final Path EXAMPLE = Path.of("../deploy/hato.properties.example");

    @TempDir
    Path directory;

    @Test
    void unitShouldHaveExactlyTheIntendedKeys() throws IOException {
        Map<String, Map<String, String>> unit = parse(UNIT);

        assertThat(unit.keySet()).containsExactly("Unit", "Service", "Install");
        assertThat(unit.get("Unit").keySet()).containsExactlyInAnyOrder("Description", "Documentation", "Wants",
                "After");
        assertThat(unit.get("Service").keySet()).containsExactlyInAnyOrder("Type", "User", "Group",
                "WorkingDirectory", "StateDirectory", "StateDirectoryMode", "LogsDirectory", "LogsDirectoryMode",
                "UMask", "Environment", "EnvironmentFile", "ExecStart", "KillMode", "KillSignal", "TimeoutStopSec",
                "TimeoutStartSec", "SuccessExitStatus", "Restart", "RestartSec", "LimitNOFILE",
                "AmbientCapabilities", "CapabilityBoundingSet", "NoNewPrivileges", "ProtectSystem", "ProtectHome",
                "PrivateTmp", "PrivateDevices", "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs",
                "ProtectControlGroups", "ProtectClock", "ProtectHostname", "RestrictNamespaces", "RestrictRealtime",
                "RestrictSUIDSGID", "LockPersonality", "RestrictAddressFamilies", "SystemCallArchitectures");
        assertThat(unit.get("Install")).containsExactly(Map.entry("WantedBy", "multi-user.target"));
    }

    @Test
    void unitShouldRunAsItsOwnUserWithOnlyTheCapabilityToBindLowPorts() throws IOException {
        Map<String, String> service = parse(UNIT).get("Service");

        assertThat(service).contains(Map.entry("User", "hato"), Map.entry("Group", "hato"),
                Map.entry("AmbientCapabilities", "CAP_NET_BIND_SERVICE"),
                Map.entry("CapabilityBoundingSet", "CAP_NET_BIND_SERVICE"), Map.entry("NoNewPrivileges", "yes"),
                Map.entry("ProtectSystem", "strict"), Map.entry("ProtectHome", "yes"),
                Map.entry("PrivateTmp", "yes"), Map.entry("PrivateDevices", "yes"),
                Map.entry("Restart", "on-failure"),
                // Only Java gets SIGTERM, so the embedded PostgreSQL outlives the drain (see the unit's comment).
                Map.entry("KillMode", "mixed"));
        assertThat(Integer.parseInt(service.get("LimitNOFILE"))).isGreaterThan(2 * 10_000);
        assertThat(Integer.parseInt(service.get("TimeoutStopSec"))).isGreaterThanOrEqualTo(60);
    }

    @Test
    void unitShouldServeWithTheSystemSettingsFileInTheStateDirectory() throws IOException {
        Map<String, String> service = parse(UNIT).get("Service");

        assertThat(service.get("ExecStart")).startsWith("/usr/bin/java $JAVA_OPTS -jar /opt/hato/hato.jar serve")
                .endsWith("--config " + ConfigLocation.SYSTEM_FILE);
        assertThat(service.get("Environment")).contains("-XX:+ExitOnOutOfMemoryError");
        assertThat(service).contains(Map.entry("WorkingDirectory", "/var/lib/hato"),
                Map.entry("StateDirectory", "hato"), Map.entry("LogsDirectory", "hato"));
        HatoProperties example = installedExample();
        assertThat(example.dataDir()).isEqualTo(Path.of("/var/lib/hato"));
        assertThat(example.mailLog().file()).isEqualTo(Path.of("/var/log/hato/mail.log"));
    }

    @Test
    void exampleSettingsShouldPassTheStrictCheckWithTheProductionPorts() throws IOException {
        HatoProperties example = installedExample();

        assertThat(example.ports()).isEqualTo(new HatoProperties.Ports(25, 465, 587, 110, 995, 143, 993, 80, 8081,
                443, 4190));
        assertThat(example.bindAddress()).isEqualTo("0.0.0.0");
        assertThat(example.managementAddress()).isEqualTo("127.0.0.1");
        assertThat(example.hostName()).isEqualTo("mail.example.org");
    }

    /** systemd's own parser, where it is installed: it must neither warn nor fail. */
    @Test
    void systemdShouldVerifyTheUnitWithoutAWarning() throws Exception {
        assumeThat(Files.isExecutable(Path.of("/usr/bin/systemd-analyze"))).as("systemd-analyze installed").isTrue();
        Process process = new ProcessBuilder("/usr/bin/systemd-analyze", "verify", UNIT.toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();

        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).isEmpty();
    }

    /** The example as install.sh installs it (as hato.properties), bound and checked as hato serve binds it. */
    private HatoProperties installedExample() throws IOException {
        Path installed = Files.copy(EXAMPLE, directory.resolve("hato.properties"));
        return CliContext.properties(installed, null);
    }

    /** Sections of key=value lines; comments and blank lines skipped; a repeated key would hide one: refused. */
    private static Map<String, Map<String, String>> parse(Path file) throws IOException {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        Map<String, String> current = null;
        for (String line : Files.readAllLines(file)) {
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#") || text.startsWith(";")) {
                continue;
            }
            if (text.startsWith("[") && text.endsWith("]")) {
                current = new LinkedHashMap<>();
                sections.put(text.substring(1, text.length() - 1), current);
                continue;
            }
            int equals = text.indexOf('=');
            assertThat(current).as("key outside a section: %s", text).isNotNull();
            assertThat(equals).as("not a key=value line: %s", text).isPositive();
            String key = text.substring(0, equals).strip();
            assertThat(current.put(key, text.substring(equals + 1).strip())).as("%s set twice", key).isNull();
        }
        assertThat(Set.copyOf(List.copyOf(sections.keySet()))).isNotEmpty();
        return sections;
    }
}
