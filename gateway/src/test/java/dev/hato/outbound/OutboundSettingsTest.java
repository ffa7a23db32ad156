package dev.hato.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Backoff, settings validation and MX ordering: the rules the runner takes its decisions by. */
class OutboundSettingsTest {

    @Test
    void theWaitBetweenAttemptsShouldDoubleUpToTheMaximum() {
        OutboundSettings settings = OutboundSettings.defaults("mx.example");

        assertThat(settings.backoff(1)).isEqualTo(Duration.ofMinutes(5));
        assertThat(settings.backoff(2)).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings.backoff(4)).isEqualTo(Duration.ofMinutes(40));
        assertThat(settings.backoff(5)).isEqualTo(Duration.ofHours(1));
        assertThat(settings.backoff(500)).isEqualTo(Duration.ofHours(1));
        assertThat(settings.maxAge()).isEqualTo(Duration.ofDays(5));
        assertThat(settings.delayNotice()).isEqualTo(Duration.ofHours(4));
    }

    @Test
    void nonsenseSettingsShouldBeRefusedWithTheSettingNamed() {
        OutboundSettings defaults = OutboundSettings.defaults("mx.example");
        assertThatThrownBy(() -> new OutboundSettings("mx", null, 0, 2, 100, defaults.maxAge(), defaults.delayNotice(),
                defaults.firstRetry(), defaults.maxRetry(), defaults.pollInterval(), defaults.claimLease(), 20, 500,
                defaults.defaultTls(), defaults.tlsPolicies())).hasMessageContaining("remote-port");
        assertThatThrownBy(() -> new OutboundSettings("mx", null, 25, 2, 100, defaults.maxAge(), defaults.delayNotice(),
                Duration.ofHours(2), Duration.ofHours(1), defaults.pollInterval(), defaults.claimLease(), 20, 500,
                defaults.defaultTls(), defaults.tlsPolicies())).hasMessageContaining("max-retry");
        assertThatThrownBy(() -> new OutboundSettings("mx", null, 25, 0, 100, defaults.maxAge(), defaults.delayNotice(),
                defaults.firstRetry(), defaults.maxRetry(), defaults.pollInterval(), defaults.claimLease(), 20, 500,
                defaults.defaultTls(), defaults.tlsPolicies())).hasMessageContaining("connections-per-destination");
    }

    @Test
    void mxHostsShouldBeOrderedByPreferenceWithoutDuplicates() {
        List<String> ordered = Routes.ordered(List.of(new MxRecord(20, "c.example"), new MxRecord(10, "a.example"),
                new MxRecord(10, "b.example"), new MxRecord(30, "a.example")));

        assertThat(ordered).hasSize(3);
        assertThat(ordered.subList(0, 2)).containsExactlyInAnyOrder("a.example", "b.example");
        assertThat(ordered.get(2)).isEqualTo("c.example");
    }
}
