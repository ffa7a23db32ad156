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

    /** Binds the settings as an administrative command does: no application context ({@link CliSettings}). */
    private static HatoProperties bind(String... arguments) {
        return CliSettings.bind(arguments);
    }

    /** Binds the settings as {@code hato serve} does: in an application context, checked by StrictSettings. */
    private static HatoProperties bindInContext(String... arguments) {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(CliContext.Configuration.class)
                .web(WebApplicationType.NONE).initializers(new StrictSettings()).logStartupInfo(false)
                .bannerMode(org.springframework.boot.Banner.Mode.OFF).run(arguments)) {
            return context.getBean(HatoProperties.class);
        }
    }

    @Test
    void theCommandsShouldBindExactlyWhatTheServerBindsFromTheSameSources() throws IOException {
        Path dir = Files.createTempDirectory("hato-bind-");
        Path config = dir.resolve("site.properties");
        Files.writeString(config, "hato.host-name=mail.example.org\nhato.ports.smtp=2600\nhato.imap.idle-timeout=7m\n"
                + "hato.auth.domains.example.org=campus\nhato.smtp.max-message-size=${hato.ports.smtp}KB\n");
        String[] arguments = CliContext.arguments(config, dir.resolve("data"), List.of("--hato.ports.imaps=2993",
                "--hato.mail-log.max-files=3"));

        assertThat(CliSettings.readsFilesDirectly(arguments)).as("the common case needs no config-data processing")
                .isTrue();
        HatoProperties withoutContext = bind(arguments);
        assertThat(withoutContext).isEqualTo(bindInContext(arguments))
                .isEqualTo(CliSettings.bindThroughConfigData(arguments));
        assertThat(withoutContext.hostName()).isEqualTo("mail.example.org");
        assertThat(withoutContext.ports().smtp()).isEqualTo(2600);
        assertThat(withoutContext.smtp().maxMessageSize().toKilobytes()).isEqualTo(2600);
        assertThat(withoutContext.ports().imaps()).isEqualTo(2993);
        assertThat(withoutContext.dataDir()).isEqualTo(dir.resolve("data").toAbsolutePath());
        assertThat(bind()).as("the built-in defaults").isEqualTo(bindInContext());

        // Two locations (a later one overrides an earlier one), one of them optional and missing.
        Path second = dir.resolve("second.properties");
        Files.writeString(second, "hato.ports.smtp=2700\nhato.smtp.max-recipients=42\n");
        String[] two = {"--spring.config.additional-location=file:" + config + ",optional:file:" + dir.resolve("none")
                + ",file:" + second};
        assertThat(CliSettings.readsFilesDirectly(two)).isTrue();
        assertThat(bind(two)).isEqualTo(bindInContext(two));
        assertThat(bind(two).ports().smtp()).isEqualTo(2700);

        // Settings that steer Spring Boot's own processing send the binding through it.
        Files.writeString(second, "spring.config.import=file:" + config + "\nhato.smtp.max-recipients=43\n");
        assertThat(CliSettings.readsFilesDirectly(two)).isFalse();
        assertThat(bind(two)).isEqualTo(bindInContext(two));
        String[] imported = {"--spring.config.import=file:" + second};
        assertThat(CliSettings.readsFilesDirectly(imported)).isFalse();
        assertThat(bind(imported)).isEqualTo(bindInContext(imported));
        assertThat(bind(imported).smtp().maxRecipients()).isEqualTo(43);

        Files.writeString(config, "hato.imap.idle-timeout=forever\n");
        assertThat(CliFailures.describe(catchThrowable(() -> bind(arguments))))
                .isEqualTo(CliFailures.describe(catchThrowable(() -> bindInContext(arguments))))
                .startsWith("invalid setting hato.imap.idle-timeout");
        Files.writeString(config, "hato.imap.idel-timeout=7m\n");
        assertThat(CliFailures.describe(catchThrowable(() -> bind(arguments))))
                .startsWith("unknown setting hato.imap.idel-timeout").contains("site.properties")
                .endsWith("; did you mean hato.imap.idle-timeout?");
        assertThat(CliFailures.describe(catchThrowable(() -> bindInContext(arguments))))
                .startsWith("unknown setting hato.imap.idel-timeout").contains("site.properties");
        Files.delete(config);
        assertThat(catchThrowable(() -> bind(arguments))).as("a --config file that is missing").isNotNull();
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
