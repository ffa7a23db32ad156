package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code hato config show}: every setting with its effective value, secrets masked, nothing started. */
class ConfigCommandTest {

    @Test
    void showShouldPrintEverySettingWithItsEffectiveValueAndMaskSecrets() throws Exception {
        Path file = Files.createTempFile("hato-config-", ".properties");
        Files.writeString(file, """
                hato.host-name=mail.example.org
                hato.smtp.max-message-size=20MB
                hato.store.url=r2dbc:postgresql://hato:db-s3cret@127.0.0.1:5432/hato
                hato.store.password=db-s3cret
                hato.auth.ldap.campus.urls=ldap://127.0.0.1:1389
                hato.auth.ldap.campus.base-dn=dc=example,dc=org
                hato.auth.ldap.campus.bind-dn=cn=hato,dc=example,dc=org
                hato.auth.ldap.campus.bind-password=ldap-s3cret
                hato.auth.token.hmac-secret=token-s3cret-token-s3cret-token-s3cret
                hato.tls.certificates[0].certificate=/etc/hato/smtp.pem
                hato.tls.certificates[0].private-key=/etc/hato/smtp.key
                """);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Hato.execute(new String[] {"config", "show", "--config", file.toString()},
                new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String shown = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(shown).doesNotContain("s3cret")
                .contains("hato.host-name = mail.example.org\n", "hato.smtp.max-message-size = 20MB\n",
                        "hato.smtp.max-recipients = 100\n", "hato.imap.idle-timeout = 30m\n",
                        "hato.store.password = ********\n",
                        "hato.store.url = r2dbc:postgresql://hato:********@127.0.0.1:5432/hato\n",
                        "hato.auth.ldap.campus.urls = ldap://127.0.0.1:1389\n",
                        "hato.auth.ldap.campus.bind-password = ********\n",
                        "hato.auth.token.hmac-secret = ********\n",
                        "hato.tls.certificates[0].certificate = /etc/hato/smtp.pem\n",
                        "hato.tls.certificates[0].private-key = /etc/hato/smtp.key\n",
                        "hato.tls.watch-interval = 10s\n");
        for (String setting : SettingNames.all()) {
            if (!setting.contains(SettingNames.NAME) && !setting.contains(SettingNames.INDEX)) {
                assertThat("\n" + shown).as(setting).contains("\n" + setting + " = ");
            }
        }
    }
}
