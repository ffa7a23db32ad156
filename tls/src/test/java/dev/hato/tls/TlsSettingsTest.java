package dev.hato.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.tls.TlsSettings.KeyType;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TlsSettingsTest {

    private static final Path DIRECTORY = Path.of("hato-data", "tls");

    @Test
    void selfSignedShouldDefaultToRsaWithoutPemFiles() {
        TlsSettings settings = TlsSettings.selfSigned("mail.example", DIRECTORY);

        assertThat(settings).isEqualTo(new TlsSettings("mail.example", DIRECTORY, null, null, null));
        assertThat(settings.usesPemFiles()).isFalse();
    }

    @Test
    void hostNameShouldBeStoredInLowerCaseWithoutTrailingDot() {
        assertThat(TlsSettings.selfSigned(" Mail.Example.ORG. ", DIRECTORY).hostName()).isEqualTo("mail.example.org");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mail example", "-mail.example", "mail-.example", "mail..example", "mail_1.example",
            "*.example", "xn--bcher-kva.example."})
    void hostNameShouldBeValidatedAsDnsName(String hostName) {
        if (hostName.startsWith("xn--")) {
            assertThat(TlsSettings.selfSigned(hostName, DIRECTORY).hostName()).isEqualTo("xn--bcher-kva.example");
            return;
        }
        assertThatThrownBy(() -> TlsSettings.selfSigned(hostName, DIRECTORY))
                .isInstanceOf(TlsException.class)
                .hasMessage("TLS host name '" + hostName + "' is not a DNS name (letters, digits, '-' and '.')");
    }

    @Test
    void overlongLabelShouldBeRefused() {
        String label = "a".repeat(64);

        assertThatThrownBy(() -> TlsSettings.selfSigned(label + ".example", DIRECTORY))
                .isInstanceOf(TlsException.class);
        assertThat(TlsSettings.selfSigned("a".repeat(63) + ".example", DIRECTORY).hostName()).hasSize(71);
    }

    @Test
    void missingValuesShouldBeRefusedWithClearMessages() {
        assertThatThrownBy(() -> TlsSettings.selfSigned("  ", DIRECTORY))
                .isInstanceOf(TlsException.class).hasMessageStartingWith("TLS host name is missing");
        assertThatThrownBy(() -> new TlsSettings("mail.example", null, null, null, KeyType.RSA))
                .isInstanceOf(TlsException.class).hasMessageStartingWith("TLS directory is missing");
    }

    @Test
    void withMethodsShouldReturnChangedCopies() {
        TlsSettings original = TlsSettings.selfSigned("mail.example", DIRECTORY);
        Path chain = Path.of("/etc/hato/chain.pem");
        Path key = Path.of("/etc/hato/key.pem");

        TlsSettings pem = original.withPemFiles(chain, key);

        assertThat(pem.certificateChainPem()).isEqualTo(chain);
        assertThat(pem.privateKeyPem()).isEqualTo(key);
        assertThat(pem.usesPemFiles()).isTrue();
        assertThat(pem.withoutPemFiles()).isEqualTo(original);
        assertThat(original.withHostName("IMAP.example").hostName()).isEqualTo("imap.example");
        assertThat(original.withDirectory(Path.of("elsewhere")).directory()).isEqualTo(Path.of("elsewhere"));
        assertThat(original.withSelfSignedKeyType(KeyType.EC).selfSignedKeyType()).isEqualTo(KeyType.EC);
        assertThat(original).isEqualTo(TlsSettings.selfSigned("mail.example", DIRECTORY));
    }
}
