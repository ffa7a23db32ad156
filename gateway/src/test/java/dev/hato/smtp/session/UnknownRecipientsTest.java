package dev.hato.smtp.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class UnknownRecipientsTest {

    private final VirtualTimeScheduler timer = VirtualTimeScheduler.create();
    private final UnknownRecipients guard = new UnknownRecipients(new UnknownRecipients.Settings(5, 8,
            Duration.ofMinutes(10), 2, Duration.ofMillis(300), Duration.ofSeconds(1), 100), timer);

    @Test
    void answersShouldComeAtOnceThenSlowerUpToTheCapThenTheConnectionShouldEnd() {
        assertThat(guard.unknown("192.0.2.1", 1)).isEqualTo(new UnknownRecipients.Verdict(false, Duration.ZERO));
        assertThat(guard.unknown("192.0.2.1", 2)).isEqualTo(new UnknownRecipients.Verdict(false, Duration.ZERO));
        assertThat(guard.unknown("192.0.2.1", 3).delay()).isEqualTo(Duration.ofMillis(300));
        assertThat(guard.unknown("192.0.2.1", 4).delay()).isEqualTo(Duration.ofMillis(600));
        assertThat(guard.unknown("192.0.2.1", 5)).isEqualTo(new UnknownRecipients.Verdict(false,
                Duration.ofMillis(900)));
        assertThat(guard.unknown("192.0.2.1", 6).close()).as("past the connection's limit").isTrue();
    }

    @Test
    void theClientCountShouldSpanConnectionsUntilItsWindowIsOver() {
        for (int i = 1; i <= 4; i++) {
            assertThat(guard.unknown("192.0.2.7", i).close()).isFalse();
        }
        for (int i = 1; i <= 4; i++) {
            assertThat(guard.unknown("192.0.2.7", i).close()).isFalse();
        }
        assertThat(guard.unknown("192.0.2.7", 5).close()).as("the 9th from this address").isTrue();
        assertThat(guard.unknown("192.0.2.8", 1).close()).as("another address").isFalse();

        timer.advanceTimeBy(Duration.ofMinutes(10));

        assertThat(guard.count("192.0.2.7")).isZero();
        assertThat(guard.unknown("192.0.2.7", 1).close()).isFalse();
        assertThat(guard.count("192.0.2.7")).isEqualTo(1);
    }

    @Test
    void anIpv6ClientShouldBeCountedPerSlash64() {
        guard.unknown("2001:db8:1:2::1", 1);
        guard.unknown("2001:db8:1:2:ffff::9", 1);
        guard.unknown("2001:db8:1:3::1", 1);

        assertThat(guard.count("2001:0db8:0001:0002:0:0:0:5")).isEqualTo(2);
        assertThat(guard.count("2001:db8:1:3::77")).isEqualTo(1);
        assertThat(UnknownRecipients.clientKey("not-an-address")).isEqualTo("not-an-address");
    }

    @Test
    void theDelayShouldRunOnTheTimer() {
        StepVerifier.withVirtualTime(() -> guard.pause(Duration.ofSeconds(1)), () -> timer, Long.MAX_VALUE)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .verifyComplete();
    }

    @Test
    void limitsOutOfRangeShouldBeRefused() {
        assertThatThrownBy(() -> new UnknownRecipients.Settings(10, 5, Duration.ofHours(1), 3, Duration.ofSeconds(1),
                Duration.ofSeconds(10), 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UnknownRecipients.Settings(10, 50, Duration.ofHours(1), 3, Duration.ofSeconds(1),
                Duration.ofMinutes(5), 100)).isInstanceOf(IllegalArgumentException.class);
    }
}
