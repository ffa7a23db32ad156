package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Strict configuration: a {@code hato.*} key that names no setting, or a value that does not fit, stops start-up with
 * a message naming the key (and the closest valid one); docs/configuration.md documents exactly the settings the code
 * has.
 */
class StrictSettingsTest {

    /** Binds the settings as Hato does at start-up (the CLI's context: properties only, no listeners, no store). */
    private static HatoProperties bind(String... arguments) {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(CliContext.Configuration.class)
                .web(WebApplicationType.NONE).initializers(new StrictSettings()).logStartupInfo(false)
                .bannerMode(org.springframework.boot.Banner.Mode.OFF).run(arguments)) {
            return context.getBean(HatoProperties.class);
        }
    }

    @Test
    void aMistypedSettingShouldStopStartUpNamingTheClosestValidOne() {
        Throwable failure = catchThrowable(() -> bind("--hato.smtp.max-mesage-size=10MB"));
        assertThat(failure).isNotNull();
        assertThat(CliFailures.describe(failure))
                .startsWith("unknown setting hato.smtp.max-mesage-size")
                .endsWith("; did you mean hato.smtp.max-message-size?");
    }

    @Test
    void aSettingFarFromAnyShouldBeNamedWithoutAGuess() {
        Throwable failure = catchThrowable(() -> bind("--hato.completely.unrelated=1"));
        assertThat(CliFailures.describe(failure)).startsWith("unknown setting hato.completely.unrelated")
                .doesNotContain("did you mean");
    }

    @Test
    void aMistypedSettingInAPropertiesFileShouldBeFoundToo() throws IOException {
        Path file = Files.createTempFile("hato-strict-", ".properties");
        Files.writeString(file, "hato.host-name=mail.example.org\nhato.imap.idle-timout=10m\n");
        Throwable failure = catchThrowable(() -> bind("--spring.config.import=file:" + file));
        assertThat(CliFailures.describe(failure)).startsWith("unknown setting hato.imap.idle-timout")
                .contains(file.getFileName().toString()).endsWith("; did you mean hato.imap.idle-timeout?");
    }

    @Test
    void aValueThatDoesNotFitShouldStopStartUpNamingTheKey() {
        Throwable failure = catchThrowable(() -> bind("--hato.smtp.max-recipients=many"));
        assertThat(CliFailures.describe(failure)).startsWith("invalid setting hato.smtp.max-recipients");
    }

    @Test
    void validSettingsMapsAndListsIncludedShouldBind() {
        HatoProperties properties = bind("--hato.smtp.max-message-size=10MB", "--hato.host-name=mail.example.org",
                "--hato.outbound.tls-policies.example.org=required", "--hato.outbound.dns-servers=127.0.0.1:53",
                "--hato.auth.domains.example.org=campus", "--hato.auth.http.portal.url=http://127.0.0.1:1/",
                "--hato.tls.certificates[0].certificate=/etc/hato/smtp.pem",
                "--hato.tls.certificates[0].private-key=/etc/hato/smtp.key", "--hato.tls.watch-interval=1m");
        assertThat(properties.smtp().maxMessageSize().toMegabytes()).isEqualTo(10);
        assertThat(properties.outbound().tlsPolicies()).containsEntry("example.org", "required");
        assertThat(properties.auth().domains()).containsEntry("example.org", "campus");
        assertThat(properties.auth().http()).containsKey("portal");
        assertThat(properties.tls().certificates()).singleElement().satisfies(certificate -> {
            assertThat(certificate.certificate()).isEqualTo(Path.of("/etc/hato/smtp.pem"));
            assertThat(certificate.privateKey()).isEqualTo(Path.of("/etc/hato/smtp.key"));
        });
        assertThat(properties.tls().watchInterval()).hasMinutes(1);
    }

    @Test
    void theClosestNameShouldComeFromTheSettingsThemselves() {
        assertThat(SettingNames.all()).contains("hato.smtp.max-message-size", "hato.auth.ldap.<name>.urls",
                "hato.auth.domains", "hato.ports.imaps");
        assertThat(SettingNames.closest("hato.ports.imapss")).contains("hato.ports.imaps");
        assertThat(SettingNames.closest("hato.auth.ldap.campus.url")).contains("hato.auth.ldap.<name>.urls");
        assertThat(SettingNames.known("hato.auth.ldap.campus.urls[0]")).isTrue();
        assertThat(SettingNames.known("hato.smtp.maxMessageSize")).isTrue();
        assertThat(SettingNames.known("hato.outbound.tls-policies[example.org]")).isTrue();
        assertThat(SettingNames.known("hato.smtp.max-message-size.extra")).isFalse();
        assertThat(SettingNames.known("hato.auth.ldap.campus")).isFalse();
        assertThat(SettingNames.all()).contains("hato.tls.certificates.<index>.private-key");
        assertThat(SettingNames.known("hato.tls.certificates[0].private-key")).isTrue();
        assertThat(SettingNames.known("hato.tls.certificates[1].certificate")).isTrue();
        assertThat(SettingNames.known("hato.tls.certificates[0].privat-key")).isFalse();
        assertThat(SettingNames.known("hato.tls.certificates.mail.certificate")).isFalse();
        assertThat(SettingNames.closest("hato.tls.certificates[0].privat-key"))
                .contains("hato.tls.certificates.<index>.private-key");
        assertThatThrownBy(() -> SettingNames.all().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void theDocumentationShouldNameEverySettingAndNoOther() throws IOException {
        String docs = Files.readString(Path.of("../docs/configuration.md"));
        List<String> documented = new ArrayList<>();
        for (String line : docs.split("\n")) {
            int start = line.indexOf("`hato.");
            while (start >= 0) {
                int end = line.indexOf('`', start + 1);
                String name = line.substring(start + 1, end);
                documented.add(withoutKey(name));
                start = line.indexOf("`hato.", end + 1);
            }
        }
        // "a `hato.*` key" in the prose names no group: it must not count as documenting every setting.
        documented.removeIf("hato.*"::equals);
        for (String setting : SettingNames.all()) {
            assertThat(documented).as("docs/configuration.md documents %s", setting)
                    .anyMatch(name -> covers(name, setting));
        }
        List<String> rows = docs.lines().filter(line -> line.startsWith("| `hato."))
                .map(line -> line.substring(3, line.indexOf('`', 3)))
                .map(StrictSettingsTest::withoutKey).toList();
        assertThat(rows).isNotEmpty();
        for (String row : rows) {
            assertThat(SettingNames.all()).as("the setting of the row %s exists", row)
                    .anyMatch(setting -> covers(row, setting));
        }
    }

    /**
     * A documented name as {@link SettingNames} spells it: {@code a[N].b} (one element of a list of groups) is
     * {@code a.<index>.b}; {@code a[KEY]} (an entry of a map or list setting) is {@code a}.
     */
    private static String withoutKey(String name) {
        String indexed = name.replace("[N].", "." + SettingNames.INDEX + ".");
        return indexed.contains("[") ? indexed.substring(0, indexed.indexOf('[')) : indexed;
    }

    /** Whether the documented {@code name} ({@code a.b}, or {@code a.*} for a group) stands for {@code setting}. */
    private static boolean covers(String name, String setting) {
        if (name.endsWith(".*")) {
            return setting.startsWith(name.substring(0, name.length() - 1));
        }
        return setting.equals(name);
    }
}
