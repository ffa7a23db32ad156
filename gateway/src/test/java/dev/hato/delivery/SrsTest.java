package dev.hato.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SrsTest {

    private static final byte[] KEY = "a test key of more than sixteen octets".getBytes(StandardCharsets.US_ASCII);
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    private static Srs at(Instant when) {
        return new Srs(KEY, Clock.fixed(when, ZoneOffset.UTC));
    }

    private static String local(String address) {
        return address.substring(0, address.lastIndexOf('@'));
    }

    @Test
    void aForwardedSenderShouldComeBackAsItWasEvenWhenAServerChangesItsCase() {
        String rewritten = at(NOW).forward("Jane.Doe@Example.ORG", "uni.example");

        assertThat(rewritten).matches("SRS0=[a-z2-7]{6}=[a-z2-7]{2}=Example\\.ORG=Jane\\.Doe@uni\\.example");
        assertThat(at(NOW).reverse(local(rewritten))).contains("Jane.Doe@Example.ORG");
        assertThat(at(NOW).reverse(local(rewritten).toLowerCase())).contains("jane.doe@example.org");
        assertThat(at(NOW).reverse(local(rewritten).toUpperCase())).contains("JANE.DOE@EXAMPLE.ORG");
    }

    @Test
    void anAddressShouldBeRefusedWhenTamperedWithOrOlderThanTwentyOneDays() {
        String rewritten = local(at(NOW).forward("jane@example.org", "uni.example"));

        assertThat(at(NOW.plus(Duration.ofDays(21))).reverse(rewritten)).isPresent();
        assertThat(at(NOW.plus(Duration.ofDays(22))).reverse(rewritten)).isEmpty();
        assertThat(at(NOW).reverse(rewritten.replace("=jane", "=mallory"))).isEmpty();
        assertThat(at(NOW).reverse(rewritten.replace("example.org", "evil.example"))).isEmpty();
        assertThat(new Srs("another key of more than sixteen octets".getBytes(StandardCharsets.US_ASCII),
                Clock.fixed(NOW, ZoneOffset.UTC)).reverse(rewritten)).isEmpty();
        assertThat(at(NOW).reverse("jane")).isEmpty();
        assertThat(at(NOW).reverse("SRS0=")).isEmpty();
        assertThat(at(NOW).reverse("SRS0==x=y=z")).isEmpty();
    }

    @Test
    void anAddressAnotherForwarderRewroteShouldLeadBackToThatForwarder() {
        String theirs = "SRS0=abcd=xy=example.org=jane@first.example";
        String ours = at(NOW).forward(theirs, "uni.example");

        assertThat(ours).isEqualTo("SRS1=" + ours.substring(5, 11) + "=first.example==abcd=xy=example.org=jane"
                + "@uni.example");
        assertThat(at(NOW).reverse(local(ours))).contains(theirs);
        // Forwarded once more, it still leads back to the first forwarder.
        String again = at(NOW).forward(ours, "third.example");
        assertThat(at(NOW).reverse(local(again))).contains("SRS0=abcd=xy=example.org=jane@first.example");
    }

    @Test
    void theNullSenderShouldNotBeRewritten() {
        assertThat(at(NOW).forward("", "uni.example")).isEmpty();
    }
}
