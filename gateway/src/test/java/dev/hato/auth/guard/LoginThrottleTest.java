package dev.hato.auth.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.auth.guard.LoginThrottle.Admitted;
import dev.hato.auth.guard.LoginThrottle.Attempt;
import dev.hato.auth.guard.LoginThrottle.Limits;
import dev.hato.auth.guard.LoginThrottle.Refused;
import dev.hato.auth.guard.LoginThrottle.Scope;
import dev.hato.auth.guard.LoginThrottle.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The throttle's arithmetic on a virtual clock: delays, lockouts, windows, resets, per-client counts. */
class LoginThrottleTest {

    private static final String IP = "192.0.2.10";

    private final VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    private final LoginThrottle throttle = new LoginThrottle(Settings.defaults(), clock);

    private Duration fail(String login, String ip) {
        Attempt attempt = throttle.begin(login, ip);
        assertThat(attempt).as("attempt for %s from %s", login, ip).isInstanceOf(Admitted.class);
        return ((Admitted) attempt).failed();
    }

    private List<Duration> failTimes(int times, String login) {
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            delays.add(fail(login, IP));
        }
        return delays;
    }

    private static List<Duration> seconds(long... values) {
        List<Duration> list = new ArrayList<>();
        for (long value : values) {
            list.add(Duration.ofSeconds(value));
        }
        return list;
    }

    @Test
    void failuresBeyondTheFreeOnesShouldWaitTwiceAsLongEachTimeUpToTheCapThenLockTheAuthId() {
        assertThat(failTimes(10, "abcd.e.fg-x7q2")).containsExactlyElementsOf(seconds(0, 0, 0, 1, 2, 4, 8, 15, 15, 15));

        assertThat(throttle.begin("abcd.e.fg-x7q2", IP)).isEqualTo(new Refused(Scope.AUTH_ID));
        assertThat(throttle.begin("abcd.e.fg-x7q2", "198.51.100.1")).isEqualTo(new Refused(Scope.AUTH_ID));
        assertThat(fail("someone-else", IP)).isZero();
    }

    @Test
    void aLockoutShouldLastItsTimeAndThenStartAfresh() {
        failTimes(10, "locked-x7q2");
        clock.advanceTimeBy(Duration.ofMinutes(15).minusMillis(1));
        assertThat(throttle.begin("locked-x7q2", IP)).isInstanceOf(Refused.class);

        clock.advanceTimeBy(Duration.ofMillis(1));

        assertThat(throttle.failures("locked-x7q2")).isZero();
        assertThat(failTimes(4, "locked-x7q2")).containsExactlyElementsOf(seconds(0, 0, 0, 1));
    }

    @Test
    void failuresShouldBeForgottenOnceTheirWindowIsOver() {
        failTimes(6, "slow-x7q2");
        clock.advanceTimeBy(Duration.ofMinutes(14));
        assertThat(throttle.failures("slow-x7q2")).isEqualTo(6);
        assertThat(fail("slow-x7q2", IP)).isEqualTo(Duration.ofSeconds(8));

        clock.advanceTimeBy(Duration.ofMinutes(1));

        assertThat(throttle.failures("slow-x7q2")).isZero();
        assertThat(fail("slow-x7q2", IP)).isZero();
    }

    @Test
    void aSuccessShouldForgetTheAuthIdsFailuresAndReduceTheClientsByOne() {
        failTimes(7, "forgetful-x7q2");
        assertThat(throttle.clientFailures(IP)).isEqualTo(7);

        ((Admitted) throttle.begin("forgetful-x7q2", IP)).succeeded();

        assertThat(throttle.failures("forgetful-x7q2")).isZero();
        assertThat(throttle.clientFailures(IP)).isEqualTo(6);
        assertThat(fail("forgetful-x7q2", IP)).isZero();
    }

    @Test
    void anAttemptTheSourceCouldNotAnswerShouldNotCount() {
        for (int i = 0; i < 50; i++) {
            ((Admitted) throttle.begin("outage-x7q2", IP)).unanswered();
        }
        assertThat(throttle.failures("outage-x7q2")).isZero();
        assertThat(throttle.clientFailures(IP)).isZero();
        assertThat(fail("outage-x7q2", IP)).isZero();
    }

    @Test
    void authIdsShouldBeCountedIgnoringCaseAndSurroundingSpaceWhetherOrNotTheyExist() {
        fail("Abcd.E.Fg-X7Q2", IP);
        fail(" abcd.e.fg-x7q2 ", IP);
        fail("ABCD.E.FG-X7Q2", IP);
        assertThat(throttle.failures("abcd.e.fg-x7q2")).isEqualTo(3);
        assertThat(fail("abcd.e.fg-x7q2", IP)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void attemptsStillBeingCheckedShouldCountSoParallelConnectionsCannotGuessPastTheLockout() {
        List<Attempt> attempts = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            attempts.add(throttle.begin("parallel-x7q2", IP));
        }
        assertThat(attempts).filteredOn(Admitted.class::isInstance).hasSize(10);
        assertThat(attempts.subList(10, 15)).containsOnly(new Refused(Scope.AUTH_ID));
    }

    @Test
    void theClientLimitShouldCatchGuessesSpreadOverManyAuthIdsAndBeHigherThanThePerAuthIdOne() {
        List<Duration> delays = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            delays.add(fail("sprayed-" + i, IP));
        }
        assertThat(delays.subList(0, 20)).containsOnly(Duration.ZERO);
        assertThat(delays.subList(20, 24)).containsExactlyElementsOf(seconds(1, 2, 4, 8));
        assertThat(delays.get(99)).isEqualTo(Duration.ofSeconds(15));

        assertThat(throttle.begin("sprayed-101", IP)).isEqualTo(new Refused(Scope.CLIENT));
        assertThat(throttle.begin("sprayed-1", IP)).isEqualTo(new Refused(Scope.CLIENT));
        // A refusal for the client does not count against the auth ID it named.
        assertThat(throttle.failures("sprayed-101")).isZero();
        assertThat(fail("sprayed-101", "192.0.2.11")).isZero();
    }

    @Test
    void ipv6ClientsShouldBeCountedPerSlash64AndIpv4ClientsPerAddress() {
        assertThat(LoginThrottle.clientKey("2001:db8:0:0:1:2:3:4")).isEqualTo("2001:db8:0:0::/64");
        assertThat(LoginThrottle.clientKey("2001:0DB8::5")).isEqualTo("2001:db8:0:0::/64");
        assertThat(LoginThrottle.clientKey("fe80:0:0:0:1:2:3:4%eth0")).isEqualTo("fe80:0:0:0::/64");
        assertThat(LoginThrottle.clientKey("::1")).isEqualTo("0:0:0:0::/64");
        assertThat(LoginThrottle.clientKey("192.0.2.10")).isEqualTo("192.0.2.10");
        assertThat(LoginThrottle.clientKey("::ffff:192.0.2.10")).isEqualTo("::ffff:192.0.2.10");
        assertThat(LoginThrottle.clientKey("not:an:address::at::all")).isEqualTo("not:an:address::at::all");

        fail("v6-x7q2", "2001:db8:0:0:1:2:3:4");
        fail("v6-x7q2", "2001:db8:0:0:ffff:2:3:5");
        assertThat(throttle.clientFailures("2001:db8::9")).isEqualTo(2);
        assertThat(throttle.clientFailures("2001:db8:0:1::9")).isZero();
    }

    @Test
    void settingsShouldHaveTheDocumentedDefaultsAndRefuseNonsense() {
        Settings defaults = Settings.defaults();
        assertThat(defaults.perAuthId()).isEqualTo(new Limits(3, 10));
        assertThat(defaults.perClient()).isEqualTo(new Limits(20, 100));
        assertThat(defaults.firstDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(defaults.maxDelay()).isEqualTo(Duration.ofSeconds(15));
        assertThat(defaults.window()).isEqualTo(Duration.ofMinutes(15));
        assertThat(defaults.lockout()).isEqualTo(Duration.ofMinutes(15));

        assertThatThrownBy(() -> new Limits(3, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Limits(-1, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withPerClient(new Limits(2, 100)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("per-client");
        assertThatThrownBy(() -> defaults.withPerClient(new Limits(20, 9))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withDelays(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withDelays(Duration.ofSeconds(1), Duration.ofMinutes(5)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withWindow(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withLockout(Duration.ofDays(2))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withMaxTracked(10)).isInstanceOf(IllegalArgumentException.class);
        assertThat(defaults.withDelays(Duration.ZERO, Duration.ZERO).maxDelay()).isZero();
    }
}
