package dev.hato.smtp.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.hato.store.directory.Account;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The counting of {@link SendLimits}, on a clock of its own (SendLimitsTest in dev.hato.app goes through SMTP). */
class SendLimitsCountTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final Ticker ticker = nanos::get;
    private final List<SendLimits.Breach> breaches = Collections.synchronizedList(new ArrayList<>());

    private SendLimits limits(int accountMessages, int accountRecipients, int clientMessages, int clientRecipients) {
        return new SendLimits(new SendLimits.Settings(accountMessages, accountRecipients, clientMessages,
                clientRecipients, Duration.ofHours(1), 100), ticker, breaches::add);
    }

    private static Account account(long id) {
        return new Account(id, 1, "user" + id + "@example.test", "user" + id + "-abcd", "", null);
    }

    @Test
    void theWindowShouldRunFromTheFirstCountAndTheReplyShouldSayWhenToTryAgain() {
        SendLimits limits = limits(2, 0, 0, 0);
        Account ann = account(1);
        assertThat(limits.message(ann, "192.0.2.1")).isNull();
        nanos.addAndGet(Duration.ofMinutes(20).toNanos());
        assertThat(limits.message(ann, "192.0.2.1")).isNull();
        assertThat(limits.message(ann, "192.0.2.1")).isEqualTo("450 4.7.1 Sending limit reached: at most 2 messages"
                + " per hour from this account; try again in 40 minutes");
        nanos.addAndGet(Duration.ofMinutes(39).toNanos() + 1);
        assertThat(limits.message(ann, "192.0.2.1")).endsWith("try again in 1 minute");
        nanos.addAndGet(Duration.ofMinutes(1).toNanos());
        assertThat(limits.message(ann, "192.0.2.1")).as("a new window").isNull();
        assertThat(limits.counted(ann, SendLimits.Kind.MESSAGES)).isEqualTo(1);
    }

    @Test
    void eachLimitShouldBeReportedOncePerWindow() {
        SendLimits limits = limits(1, 0, 0, 0);
        Account ann = account(1);
        limits.message(ann, "192.0.2.1");
        limits.message(ann, "192.0.2.1");
        limits.message(ann, "192.0.2.1");
        assertThat(breaches).hasSize(1);
        SendLimits.Breach breach = breaches.get(0);
        assertThat(breach.scope()).isEqualTo(SendLimits.Scope.ACCOUNT);
        assertThat(breach.kind()).isEqualTo(SendLimits.Kind.MESSAGES);
        assertThat(breach.authId()).isEqualTo("user1-abcd");
        assertThat(breach.accountId()).isEqualTo(1);
        assertThat(breach.clientIp()).isEqualTo("192.0.2.1");
        nanos.addAndGet(Duration.ofHours(1).toNanos());
        limits.message(ann, "192.0.2.1");
        limits.message(ann, "192.0.2.1");
        assertThat(breaches).as("the next window reports again").hasSize(2);
    }

    @Test
    void theClientAddressShouldCountAllItsAccountsAndARefusalThereShouldNotCountForTheAccount() {
        SendLimits limits = limits(5, 0, 3, 0);
        Account ann = account(1);
        Account bob = account(2);
        assertThat(limits.message(ann, "2001:db8:1:2::10")).isNull();
        assertThat(limits.message(bob, "2001:db8:1:2::20")).isNull();
        assertThat(limits.message(bob, "2001:db8:1:2:ffff::1")).as("the same /64").isNull();
        assertThat(limits.message(ann, "2001:db8:1:2::10")).contains("from this client address");
        assertThat(limits.counted(ann, SendLimits.Kind.MESSAGES)).isEqualTo(1);
        assertThat(limits.message(ann, "2001:db8:1:3::10")).as("another /64").isNull();
        assertThat(breaches).singleElement().satisfies(breach -> {
            assertThat(breach.scope()).isEqualTo(SendLimits.Scope.CLIENT);
            assertThat(breach.authId()).isEqualTo("user1-abcd");
        });
    }

    @Test
    void aRecipientGivenBackShouldNotCount() {
        SendLimits limits = limits(0, 2, 0, 0);
        Account ann = account(1);
        assertThat(limits.recipient(ann, "192.0.2.1")).isNull();
        assertThat(limits.recipient(ann, "192.0.2.1")).isNull();
        limits.returnRecipient(ann, "192.0.2.1");
        assertThat(limits.recipient(ann, "192.0.2.1")).isNull();
        assertThat(limits.recipient(ann, "192.0.2.1")).isEqualTo("450 4.7.1 Sending limit reached: at most 2"
                + " recipients per hour from this account; try again in 60 minutes");
        assertThat(limits.message(ann, "192.0.2.1")).as("no message limit set").isNull();
    }

    @Test
    void concurrentSessionsOfOneAccountShouldNeverPassTheLimitTogether() throws Exception {
        SendLimits limits = limits(0, 500, 0, 0);
        Account ann = account(1);
        AtomicInteger accepted = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        try {
            for (int thread = 0; thread < 8; thread++) {
                pool.execute(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    for (int i = 0; i < 200; i++) {
                        if (limits.recipient(ann, "192.0.2." + (i % 4)) == null) {
                            accepted.incrementAndGet();
                            if (i % 10 == 0) {
                                limits.returnRecipient(ann, "192.0.2." + (i % 4));
                                accepted.decrementAndGet();
                            }
                        }
                    }
                });
            }
            go.countDown();
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        // However the threads interleaved, what they kept is what was counted, and never more than the limit (the
        // last give-backs may leave a few places free).
        assertThat(limits.counted(ann, SendLimits.Kind.RECIPIENTS)).isEqualTo(accepted.get()).isBetween(480, 500);
        assertThat(breaches).hasSize(1);
    }

    @Test
    void settingsOutOfRangeShouldBeRefused() {
        assertThatThrownBy(() -> new SendLimits.Settings(-1, 0, 0, 0, Duration.ofHours(1), 100))
                .hasMessageContaining("0 (no limit) or positive");
        assertThatThrownBy(() -> new SendLimits.Settings(1, 1, 1, 1, Duration.ofDays(2), 100))
                .hasMessageContaining("at most 1d");
        assertThatThrownBy(() -> new SendLimits.Settings(1, 1, 1, 1, Duration.ofHours(1), 10))
                .hasMessageContaining("at least 100");
        assertThat(SendLimits.describe(Duration.ofMinutes(30))).isEqualTo("30 minutes");
        assertThat(SendLimits.describe(Duration.ofHours(6))).isEqualTo("6 hours");
    }
}
