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
import java.util.function.IntFunction;
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
    void failuresBeyondTheFreeOnesShouldWaitTwiceAsLongEachTimeUpToTheCapThenLockTheAddressOutOfTheAuthId() {
        assertThat(failTimes(10, "abcd.e.fg-x7q2")).containsExactlyElementsOf(seconds(0, 0, 0, 1, 2, 4, 8, 15, 15, 15));

        assertThat(throttle.begin("abcd.e.fg-x7q2", IP)).isEqualTo(new Refused(Scope.SOURCE));
        assertThat(fail("someone-else", IP)).isZero();
    }

    @Test
    void aLockoutShouldHoldTheFailingAddressOnlyAndLeaveTheAuthIdToOtherAddresses() {
        failTimes(10, "owner-x7q2");

        assertThat(throttle.begin("owner-x7q2", IP)).isEqualTo(new Refused(Scope.SOURCE));
        Attempt elsewhere = throttle.begin("owner-x7q2", "198.51.100.1");
        assertThat(elsewhere).isInstanceOf(Admitted.class);
        ((Admitted) elsewhere).succeeded();
        // Still locked where it failed, however often the owner logs in elsewhere.
        assertThat(throttle.begin("owner-x7q2", IP)).isEqualTo(new Refused(Scope.SOURCE));
    }

    @Test
    void guessesFromManyAddressesShouldTakeTurnsThatGrowApartSoABotnetGetsAboutOneCheckAMinute() {
        Turns turns = failAtOnce(100, "target-x7q2", bot -> "203.0.113." + bot);
        List<Duration> waits = turns.waits();
        List<Attempt> refused = turns.refused();
        // Ten free, then turns 1, 2, 4, 8, 16 s apart; the next free turn would be more than 60 s away.
        assertThat(waits).containsExactlyElementsOf(seconds(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 7, 15, 31));
        assertThat(refused).hasSize(84).containsOnly(new Refused(Scope.AUTH_ID));
        assertThat(throttle.failures("target-x7q2")).as("refusals count nowhere").isEqualTo(16);

        // A botnet that keeps trying every second from fresh addresses for an hour: one check a minute.
        int checks = 0;
        for (int second = 0; second < 3600; second++) {
            clock.advanceTimeBy(Duration.ofSeconds(1));
            if (throttle.begin("target-x7q2", "198.18." + second / 250 + "." + second % 250)
                    instanceof Admitted admitted) {
                admitted.failed();
                checks++;
            }
        }
        assertThat(checks).isBetween(59, 61);
    }

    @Test
    void anOwnerShouldSkipTheLineFromAFamiliarAddressAndWaitForATurnFromANewOne() {
        ((Admitted) throttle.begin("owner-x7q2", "192.0.2.99")).succeeded();
        for (int bot = 0; bot < 20; bot++) {
            if (throttle.begin("owner-x7q2", "203.0.113." + bot) instanceof Admitted admitted) {
                admitted.failed();
            }
        }

        Attempt home = throttle.begin("owner-x7q2", "192.0.2.99");
        assertThat(home).isInstanceOf(Admitted.class);
        assertThat(((Admitted) home).waitFor()).isZero();
        assertThat(throttle.begin("owner-x7q2", "198.51.100.5")).isEqualTo(new Refused(Scope.AUTH_ID));

        // The next free turn is 63 s away (turns 0, 1, 3, 7, 15, 31, then 63): three seconds later it is within a
        // minute, and the owner gets it.
        clock.advanceTimeBy(Duration.ofSeconds(3));
        Attempt travelling = throttle.begin("owner-x7q2", "198.51.100.5");
        assertThat(travelling).isInstanceOf(Admitted.class);
        assertThat(((Admitted) travelling).waitFor()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void aFamiliarAddressShouldNeverBeRefusedForItsAuthIdButTakeTurnsOnceLockedSoItsPasswordIsStillChecked() {
        // Ann logged in from her home NAT; someone else behind that NAT guesses her password.
        ((Admitted) throttle.begin("shared-x7q2", IP)).succeeded();
        List<Duration> delays = failTimes(14, "shared-x7q2");

        assertThat(delays).containsExactlyElementsOf(seconds(0, 0, 0, 1, 2, 4, 8, 15, 15, 15, 15, 15, 15, 15));
        assertThat(throttle.failures("shared-x7q2"))
                .as("past the lockout, the familiar address's guesses take turns in the auth ID's line")
                .isEqualTo(4);
        Attempt owner = throttle.begin("shared-x7q2", IP);
        assertThat(owner).isInstanceOf(Admitted.class);
        assertThat(((Admitted) owner).waitFor()).isZero();
        // The same address is still locked out of an auth ID it never logged in to.
        failTimes(10, "stranger-x7q2");
        assertThat(throttle.begin("stranger-x7q2", IP)).isEqualTo(new Refused(Scope.SOURCE));
    }

    @Test
    void guessesFromALockedFamiliarAddressShouldBeBoundByTheAuthIdsPaceAndAnOwnersLoginShouldNotResetThem() {
        ((Admitted) throttle.begin("shared-x7q2", IP)).succeeded();
        failTimes(10, "shared-x7q2");
        // Parallel guesses from the locked familiar address: ten free turns, then 1, 2, 4 ... s apart, then full.
        Turns turns = failAtOnce(30, "shared-x7q2", i -> IP);
        List<Duration> waits = turns.waits();
        List<Attempt> refused = turns.refused();
        assertThat(waits).containsExactlyElementsOf(seconds(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 7, 15, 31));
        assertThat(refused).containsOnly(new Refused(Scope.AUTH_ID));

        // The owner's success does not hand the guesser ten more unpaced guesses: the next attempt still takes turns.
        clock.advanceTimeBy(Duration.ofSeconds(64));
        ((Admitted) throttle.begin("shared-x7q2", IP)).succeeded();
        Attempt next = throttle.begin("shared-x7q2", IP);
        assertThat(next).isInstanceOf(Admitted.class);
        assertThat(((Admitted) next).waitFor()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void aFamiliarAddressShouldNotBeRefusedForItsAuthIdWhenSomeoneBehindItSprayedManyOthers() {
        ((Admitted) throttle.begin("owner-x7q2", IP)).succeeded();
        for (int i = 1; i <= 100; i++) {
            fail("sprayed-" + i, IP);
        }
        assertThat(throttle.begin("sprayed-101", IP)).isEqualTo(new Refused(Scope.CLIENT));

        Attempt owner = throttle.begin("owner-x7q2", IP);
        assertThat(owner).isInstanceOf(Admitted.class);
        assertThat(((Admitted) owner).waitFor()).isZero();
        ((Admitted) owner).succeeded();
        assertThat(throttle.clientFailures(IP)).as("an admitted attempt the lock held back was never counted")
                .isEqualTo(100);
    }

    @Test
    void anAddressAlternatingGuessesWithLoginsToItsOwnAccountShouldStillReachTheClientLimit() {
        List<Attempt> guesses = new ArrayList<>();
        for (int i = 1; i <= 120; i++) {
            Attempt guess = throttle.begin("victim-" + i, IP);
            guesses.add(guess);
            if (guess instanceof Admitted admitted) {
                admitted.failed();
            }
            ((Admitted) throttle.begin("mine-x7q2", IP)).succeeded();
        }
        assertThat(guesses.subList(0, 100)).allMatch(Admitted.class::isInstance);
        assertThat(guesses.subList(100, 120)).containsOnly(new Refused(Scope.CLIENT));
    }

    @Test
    void anAttemptWithdrawnBeforeItsCheckShouldNotCountButKeepItsTurn() {
        for (int bot = 0; bot < 12; bot++) {
            ((Admitted) throttle.begin("busy-x7q2", "203.0.113." + bot)).failed();
        }
        Admitted waiting = (Admitted) throttle.begin("busy-x7q2", IP);
        assertThat(waiting.waitFor()).isEqualTo(Duration.ofSeconds(3));

        waiting.unchecked();

        assertThat(throttle.failures("busy-x7q2", IP)).isZero();
        assertThat(throttle.clientFailures(IP)).isZero();
        assertThat(throttle.failures("busy-x7q2")).isEqualTo(12);
        assertThat(((Admitted) throttle.begin("busy-x7q2", "198.51.100.1")).waitFor())
                .as("the withdrawn turn stays taken").isEqualTo(Duration.ofSeconds(7));
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
        assertThat(throttle.failures("slow-x7q2", IP)).isEqualTo(6);
        assertThat(fail("slow-x7q2", IP)).isEqualTo(Duration.ofSeconds(8));

        clock.advanceTimeBy(Duration.ofMinutes(1));

        assertThat(throttle.failures("slow-x7q2", IP)).isZero();
        // The auth ID's own count runs until a window without failures.
        assertThat(throttle.failures("slow-x7q2")).isEqualTo(7);
        assertThat(fail("slow-x7q2", IP)).isZero();
    }

    @Test
    void aSuccessShouldTakeBackOnlyItsOwnCountAndMakeTheAddressFamiliar() {
        failTimes(7, "forgetful-x7q2");
        assertThat(throttle.clientFailures(IP)).isEqualTo(7);

        ((Admitted) throttle.begin("forgetful-x7q2", IP)).succeeded();

        // On a shared address the failures may be someone else's: the owner's login must not forgive them.
        assertThat(throttle.failures("forgetful-x7q2", IP)).isEqualTo(7);
        assertThat(throttle.failures("forgetful-x7q2")).as("not a reset of the auth ID's pace").isEqualTo(7);
        assertThat(throttle.clientFailures(IP)).isEqualTo(7);
        assertThat(fail("forgetful-x7q2", IP)).isEqualTo(Duration.ofSeconds(15));
        // The address is familiar now: never refused for this auth ID, however many failures follow.
        failTimes(5, "forgetful-x7q2");
        assertThat(throttle.begin("forgetful-x7q2", IP)).isInstanceOf(Admitted.class);
    }

    @Test
    void aSuccessShouldForgetTheAddresssFailuresWhenAddressesNeverBecomeFamiliar() {
        LoginThrottle strict = new LoginThrottle(Settings.defaults().withFamiliarFor(Duration.ZERO), clock);
        for (int i = 0; i < 9; i++) {
            ((Admitted) strict.begin("typo-x7q2", IP)).failed();
        }

        ((Admitted) strict.begin("typo-x7q2", IP)).succeeded();

        assertThat(strict.failures("typo-x7q2", IP)).isZero();
        assertThat(strict.clientFailures(IP)).isEqualTo(9);
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
        assertThat(throttle.failures("abcd.e.fg-x7q2", IP)).isEqualTo(3);
        assertThat(fail("abcd.e.fg-x7q2", IP)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void attemptsStillBeingCheckedShouldCountSoParallelConnectionsCannotGuessPastTheLockout() {
        List<Attempt> attempts = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            attempts.add(throttle.begin("parallel-x7q2", IP));
        }
        assertThat(attempts).filteredOn(Admitted.class::isInstance).hasSize(10);
        assertThat(attempts.subList(10, 15)).containsOnly(new Refused(Scope.SOURCE));
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
        assertThat(defaults.perAuthIdFromClient()).isEqualTo(new Limits(3, 10));
        assertThat(defaults.perClient()).isEqualTo(new Limits(20, 100));
        assertThat(defaults.firstDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(defaults.maxDelay()).isEqualTo(Duration.ofSeconds(15));
        assertThat(defaults.window()).isEqualTo(Duration.ofMinutes(15));
        assertThat(defaults.lockout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(defaults.authIdFreeFailures()).isEqualTo(10);
        assertThat(defaults.maxPace()).isEqualTo(Duration.ofSeconds(60));
        assertThat(defaults.familiarFor()).isEqualTo(Duration.ofDays(30));

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

    /** What {@code count} attempts begun together (none settled before the next begins) got. */
    private record Turns(List<Duration> waits, List<Attempt> refused) { }

    /** Begins {@code count} attempts on {@code login}, the i-th from {@code address.apply(i)}, each failing. */
    private Turns failAtOnce(int count, String login, IntFunction<String> address) {
        List<Duration> waits = new ArrayList<>();
        List<Attempt> refused = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Attempt attempt = throttle.begin(login, address.apply(i));
            if (attempt instanceof Admitted admitted) {
                waits.add(admitted.waitFor());
                admitted.failed();
            } else {
                refused.add(attempt);
            }
        }
        return new Turns(waits, refused);
    }
}
