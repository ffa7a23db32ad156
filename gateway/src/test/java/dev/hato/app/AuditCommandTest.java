package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.auth.AuthOutcome;
import dev.hato.auth.Credentials;
import dev.hato.store.audit.AuditLog;
import dev.hato.store.audit.AuthEvent.Result;
import dev.hato.store.audit.AuthEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code hato audit} against a running server: what logins left in its audit log, read from another store. */
class AuditCommandTest {

    private static final RunningHato HATO = RunningHato.shared();
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final String TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ";

    private static CliRun hato(String... args) {
        return CliRun.of(HATO.dataDir(), "", args);
    }

    /** Runs {@code hato audit} until it shows {@code expected} lines: events are written a moment after a login. */
    private static List<String> awaitAudit(int expected, String... args) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            CliRun result = hato(args);
            assertThat(result.status()).as(result.err()).isZero();
            if (result.lines().size() >= expected || System.nanoTime() > deadline) {
                return result.lines();
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static String fresh(String prefix) {
        return prefix + NAMES.incrementAndGet() + "-" + Long.toString(System.nanoTime(), 36);
    }

    private static AuditLog serverLog() {
        return HATO.store().auditLog();
    }

    @Test
    void loginsThroughTheServersAuthenticatorShouldBeListedByAuthIdNewestFirst() {
        RunningHato.User user = HATO.newUser("audit");
        // The server's authenticator is the guarded one: throttled and audited.
        var guard = HATO.authenticator();

        assertThat(guard.authenticate(new Credentials(user.authId(), "wrong", "pop3", "127.0.0.1")).block())
                .isInstanceOf(AuthOutcome.Rejected.class);
        assertThat(guard.authenticate(new Credentials(user.authId().toUpperCase(), user.password(), "smtp",
                "127.0.0.1")).block()).isInstanceOf(AuthOutcome.Success.class);

        List<String> lines = awaitAudit(2, "audit", "--auth-id", user.authId());

        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).matches(TIME + "  smtp  127\\.0\\.0\\.1  " + user.authId().toUpperCase().replace(".",
                "\\.") + "  success");
        assertThat(lines.get(1)).matches(TIME + "  pop3  127\\.0\\.0\\.1  " + user.authId().replace(".", "\\.")
                + "  rejected");
    }

    @Test
    void sinceShouldTakeADateAnInstantOrATimeAgoAndLimitShouldKeepTheNewest() {
        String authId = fresh("since.x-");
        Instant now = Instant.now();
        List<Instant> times = List.of(now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(3)),
                now.minus(Duration.ofHours(2)), now.minus(Duration.ofMinutes(1)));
        for (Instant at : times) {
            serverLog().record(new AuthEvent(at, "pop3", "192.0.2.1", authId, Result.REJECTED, null)).block();
        }
        assertThat(awaitAudit(4, "audit", "--auth-id", authId)).hasSize(4);

        assertThat(hato("audit", "--auth-id", authId, "--since", "7d").lines()).hasSize(3);
        assertThat(hato("audit", "--auth-id", authId, "--since", "24h").lines()).hasSize(2);
        assertThat(hato("audit", "--auth-id", authId, "--since", "90m").lines()).hasSize(1);
        String fiveDaysAgo = LocalDate.ofInstant(now.minus(Duration.ofDays(5)), ZoneOffset.UTC).toString();
        assertThat(hato("audit", "--auth-id", authId, "--since", fiveDaysAgo).lines()).hasSize(3);
        String instant = now.minus(Duration.ofHours(3)).toString();
        assertThat(hato("audit", "--auth-id", authId, "--since", instant).lines()).hasSize(2);

        List<String> newest = hato("audit", "--auth-id", authId, "--limit", "1").lines();
        assertThat(newest).containsExactly(times.get(3).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                + "  pop3  192.0.2.1  " + authId + "  rejected");
        assertThat(hato("audit", "--since", "90m", "--limit", "100000").lines())
                .anySatisfy(line -> assertThat(line).contains(authId));
    }

    @Test
    void whatAClientTypedShouldBePrintedWithControlCharactersEscaped() {
        String authId = fresh("evil-");
        serverLog().record(new AuthEvent(Instant.now(), "pop3", "192.0.2.2", authId + "\u001b[31m\nroot\\\u202e",
                Result.LOCKED, null)).block();

        List<String> lines = awaitAudit(1, "audit", "--auth-id", authId + "\u001b[31m\nroot\\\u202e");

        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).endsWith("  192.0.2.2  " + authId + "\\u001b[31m\\u000aroot\\\\\\u202e  locked");
    }

    @Test
    void aBadSinceOrLimitShouldGetOneLineAndANonZeroStatus() {
        CliRun badSince = hato("audit", "--since", "yesterday");
        assertThat(badSince.status()).isNotZero();
        assertThat(badSince.lines()).isEmpty();
        assertThat(badSince.err()).startsWith("hato: --since takes a date").contains("'yesterday'")
                .hasLineCount(1);

        CliRun badLimit = hato("audit", "--limit", "0");
        assertThat(badLimit.status()).isNotZero();
        assertThat(badLimit.err()).startsWith("hato: --limit must be between 1 and").hasLineCount(1);
    }

    @Test
    void sinceShouldBeParsedRelativeToNowOrAsUtc() {
        Instant now = Instant.parse("2026-11-29T10:15:02Z");
        assertThat(AuditCommand.since("24h", now)).isEqualTo(Instant.parse("2026-11-28T10:15:02Z"));
        assertThat(AuditCommand.since("7d", now)).isEqualTo(Instant.parse("2026-11-22T10:15:02Z"));
        assertThat(AuditCommand.since("90m", now)).isEqualTo(Instant.parse("2026-11-29T08:45:02Z"));
        assertThat(AuditCommand.since("2026-11-01", now)).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
        assertThat(AuditCommand.since("2026-11-01T08:00:00+09:00", now))
                .isEqualTo(Instant.parse("2026-10-31T23:00:00Z"));
        for (String bad : List.of("", "yesterday", "24", "h", "-1d", "2026-13-01", "2026-11-01T25:00Z", "1w",
                "999999999d9")) {
            assertThatThrownBy(() -> AuditCommand.since(bad, now)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--since");
        }
    }
}
