package dev.hato.store.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.store.directory.Account;
import dev.hato.store.directory.NewAccount;
import dev.hato.store.legacy.LegacyBackend;
import dev.hato.store.legacy.LegacyBackend.Server;
import dev.hato.store.legacy.LegacyBackend.Tls;
import dev.hato.store.legacy.LegacyBackends;
import dev.hato.store.legacy.Route;
import dev.hato.store.legacy.RouteEntry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Legacy systems and people's logins on them, against the embedded PostgreSQL. */
class PgLegacyBackendsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger NEXT = new AtomicInteger();

    @RegisterExtension
    static final EmbeddedStore STORE = new EmbeddedStore();

    private static LegacyBackends backends() {
        return STORE.store().legacyBackends();
    }

    @Test
    void aBackendShouldComeBackAsStoredWithEveryServerAndTheSealedPassword() {
        String name = "old-" + NEXT.incrementAndGet();
        LegacyBackend full = new LegacyBackend(name, new Server("imap.old.example", 993, Tls.IMPLICIT),
                new Server("pop.old.example", 995, Tls.IMPLICIT), new Server("mx.old.example", 25, Tls.STARTTLS),
                new Server("sieve.old.example", 4190, Tls.STARTTLS), "-----BEGIN CERTIFICATE-----\n...",
                "migration-admin", new byte[] {1, 2, 3, 4});
        LegacyBackend bare = new LegacyBackend(name + "-bare", new Server("127.0.0.1", 143, Tls.NONE), null, null,
                null, null, null, null);

        assertThat(backends().put(full, false).block(WAIT)).isTrue();
        assertThat(backends().put(bare, false).block(WAIT)).isTrue();

        assertThat(backends().find(name).block(WAIT)).isEqualTo(full);
        assertThat(backends().find(name + "-bare").block(WAIT)).isEqualTo(bare);
        assertThat(backends().list().collectList().block(WAIT)).contains(full, bare);
        assertThat(backends().find("nothing-" + name).block(WAIT)).isNull();
    }

    @Test
    void aSecondPutShouldReplaceOnlyWhenAskedTo() {
        String name = "old-" + NEXT.incrementAndGet();
        LegacyBackend first = new LegacyBackend(name, new Server("a.example", 143, Tls.STARTTLS), null, null, null,
                null, "admin", new byte[] {9});
        LegacyBackend second = new LegacyBackend(name, new Server("b.example", 993, Tls.IMPLICIT), null, null, null,
                null, null, null);
        backends().put(first, false).block(WAIT);

        assertThat(backends().put(second, false).block(WAIT)).isFalse();
        assertThat(backends().find(name).block(WAIT)).isEqualTo(first);
        assertThat(backends().put(second, true).block(WAIT)).isTrue();
        assertThat(backends().find(name).block(WAIT)).isEqualTo(second);

        assertThat(backends().remove(name).block(WAIT)).isTrue();
        assertThat(backends().remove(name).block(WAIT)).isFalse();
        assertThat(backends().find(name).block(WAIT)).isNull();
    }

    @Test
    void namesAndServersOutsideTheirFormsShouldBeRefusedBeforeTheStore() {
        Server imap = new Server("imap.example", 993, Tls.IMPLICIT);
        assertThatThrownBy(() -> new LegacyBackend("Old System", imap, null, null, null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Old System");
        assertThatThrownBy(() -> new LegacyBackend("old", imap, null, null, null, null, "admin", null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Server("imap.example", 0, Tls.NONE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Tls.of("ssl")).hasMessageContaining("ssl");
    }

    @Test
    void aPersonsLoginShouldBeKeptChangedAndClearedAndGoWithTheAccount() {
        String domain = "l" + NEXT.incrementAndGet() + ".example";
        STORE.store().directory().addDomain(domain).block(WAIT);
        Account account = STORE.store().directory()
                .addAccount(new NewAccount("taro@" + domain, "taro.l" + NEXT.get(), "Taro", null)).block(WAIT);

        assertThat(backends().login(account.id()).block(WAIT)).isNull();
        backends().setLogin(account.id(), "t-yamada").block(WAIT);
        assertThat(backends().login(account.id()).block(WAIT)).isEqualTo("t-yamada");
        backends().setLogin(account.id(), "yamada.t").block(WAIT);
        assertThat(backends().login(account.id()).block(WAIT)).isEqualTo("yamada.t");
        assertThatThrownBy(() -> backends().setLogin(account.id(), "bad\nlogin").block(WAIT))
                .isInstanceOf(IllegalArgumentException.class);
        backends().setLogin(account.id(), null).block(WAIT);
        assertThat(backends().login(account.id()).block(WAIT)).isNull();

        backends().setLogin(account.id(), "t-yamada").block(WAIT);
        STORE.store().directory().removeAccount(account.authId()).block(WAIT);
        assertThat(backends().login(account.id()).block(WAIT)).isNull();
    }

    @Test
    void routesShouldFollowThePersonThenTheDomainThenLocalAndHoldTheirBackendInPlace() {
        String domain = "r" + NEXT.incrementAndGet() + ".example";
        var directory = STORE.store().directory();
        long domainId = directory.addDomain(domain).block(WAIT).id();
        Account taro = directory.addAccount(new NewAccount("taro@" + domain, "taro.r" + NEXT.get(), "Taro", null))
                .block(WAIT);
        Account hana = directory.addAccount(new NewAccount("hana@" + domain, "hana.r" + NEXT.get(), "Hana", null))
                .block(WAIT);
        String name = "old-" + NEXT.incrementAndGet();
        backends().put(new LegacyBackend(name, new Server("imap.old.example", 993, Tls.IMPLICIT), null, null, null,
                null, null, null), false).block(WAIT);

        assertThat(backends().route(taro.id()).block(WAIT)).isEqualTo(Route.LOCAL);
        backends().setDomainRoute(domainId, name).block(WAIT);
        assertThat(backends().route(taro.id()).block(WAIT)).isEqualTo(Route.legacy(name));
        backends().setRoute(hana.id(), Route.SYNCING).block(WAIT);
        assertThat(backends().route(hana.id()).block(WAIT)).isEqualTo(Route.SYNCING);
        backends().setRoute(taro.id(), Route.LOCAL).block(WAIT);
        assertThat(backends().route(taro.id()).block(WAIT)).isEqualTo(Route.LOCAL);

        assertThat(backends().routes().filter(entry -> entry.domain().equals(domain)).collectList().block(WAIT))
                .containsExactly(new RouteEntry(domain, null, Route.legacy(name)),
                        new RouteEntry(domain, hana.address(), Route.SYNCING),
                        new RouteEntry(domain, taro.address(), Route.LOCAL));

        assertThat(backends().routes(java.util.List.of(taro.id(), hana.id(), -1L)).block(WAIT))
                .isEqualTo(java.util.Map.of(taro.id(), Route.LOCAL, hana.id(), Route.SYNCING));
        assertThatThrownBy(() -> backends().setRoute(taro.id(), Route.legacy("nothing-" + name)).block(WAIT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nothing-" + name);
        assertThatThrownBy(() -> backends().remove(name).block(WAIT))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("hato route list");
        backends().setDomainRoute(domainId, null).block(WAIT);
        backends().setRoute(hana.id(), null).block(WAIT);
        assertThat(backends().route(hana.id()).block(WAIT)).isEqualTo(Route.LOCAL);
        assertThat(backends().remove(name).block(WAIT)).isTrue();
        assertThatThrownBy(() -> Route.parse("legacy:")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Route.parse("legacy:" + name)).isEqualTo(Route.legacy(name));
    }

    @Test
    void aMigrationShouldAddUpItsPassesAndKeepItsStateAndVerification() {
        String domain = "m" + NEXT.incrementAndGet() + ".example";
        STORE.store().directory().addDomain(domain).block(WAIT);
        Account taro = STORE.store().directory()
                .addAccount(new NewAccount("taro@" + domain, "taro.m" + NEXT.get(), "Taro", null)).block(WAIT);

        backends().recordMigration(taro.id(), "campus", "copying", true, 120, 1, null).block(WAIT);
        backends().recordMigration(taro.id(), "campus", "copied", true, 3, 0, null).block(WAIT);
        backends().recordVerification(taro.id(), true).block(WAIT);
        backends().recordMigration(taro.id(), "campus", "failed", false, 0, 0, "connection refused").block(WAIT);

        assertThat(backends().migrations(domain).collectList().block(WAIT)).singleElement().satisfies(status -> {
            assertThat(status.address()).isEqualTo("taro@" + domain);
            assertThat(status.state()).isEqualTo("failed");
            assertThat(status.passes()).isEqualTo(2);
            assertThat(status.copied()).isEqualTo(123);
            assertThat(status.refused()).isEqualTo(1);
            assertThat(status.verified()).isTrue();
            assertThat(status.lastError()).isEqualTo("connection refused");
        });
        assertThat(backends().migrations("nothing.example").collectList().block(WAIT)).isEmpty();
    }

    @Test
    void backgroundMigrationsShouldBeClaimedOnceWhenDueAndStartOnLoginOnlyWhereTheDomainAsks() {
        String domain = "b" + NEXT.incrementAndGet() + ".example";
        var directory = STORE.store().directory();
        long domainId = directory.addDomain(domain).block(WAIT).id();
        Account taro = directory.addAccount(new NewAccount("taro@" + domain, "taro.b" + NEXT.get(), "Taro", null))
                .block(WAIT);
        Account hana = directory.addAccount(new NewAccount("hana@" + domain, "hana.b" + NEXT.get(), "Hana", null))
                .block(WAIT);
        String name = "old-" + NEXT.incrementAndGet();
        backends().put(new LegacyBackend(name, new Server("imap.old.example", 993, Tls.IMPLICIT), null, null, null,
                null, null, null), false).block(WAIT);

        assertThat(backends().setMigrateOnLogin(domainId, true).block(WAIT)).as("no legacy default yet").isFalse();
        backends().setDomainRoute(domainId, name).block(WAIT);
        assertThat(backends().startOnLogin(taro.id()).block(WAIT)).as("the domain does not ask").isFalse();
        assertThat(backends().setMigrateOnLogin(domainId, true).block(WAIT)).isTrue();
        assertThat(backends().routes().filter(e -> e.domain().equals(domain)).collectList().block(WAIT))
                .containsExactly(new RouteEntry(domain, null, Route.legacy(name), true));
        backends().setRoute(hana.id(), Route.legacy(name)).block(WAIT);
        assertThat(backends().startOnLogin(hana.id()).block(WAIT)).as("a route of her own").isFalse();
        assertThat(backends().startOnLogin(taro.id()).block(WAIT)).isTrue();
        assertThat(backends().startOnLogin(taro.id()).block(WAIT)).as("started once").isFalse();
        assertThat(backends().migration(taro.id()).block(WAIT)).satisfies(status -> {
            assertThat(status.state()).isEqualTo("queued");
            assertThat(status.background()).isTrue();
            assertThat(status.cutoverWhenVerified()).isTrue();
            assertThat(status.tellPerson()).isTrue();
        });

        java.util.List<Long> claimed = backends().claimDue(1000, java.time.Duration.ofMinutes(5)).collectList()
                .block(WAIT);
        assertThat(claimed).contains(taro.id());
        assertThat(backends().claimDue(1000, java.time.Duration.ofMinutes(5)).collectList().block(WAIT))
                .as("leased").doesNotContain(taro.id());
        backends().schedulePass(taro.id(), java.time.Instant.now().minusSeconds(1)).block(WAIT);
        assertThat(backends().claimDue(1000, java.time.Duration.ofMinutes(5)).collectList().block(WAIT))
                .contains(taro.id());
        assertThat(backends().stopMigration(taro.id()).block(WAIT)).isTrue();
        assertThat(backends().stopMigration(taro.id()).block(WAIT)).isFalse();
        backends().schedulePass(hana.id(), null).block(WAIT);

        backends().recordMigration(taro.id(), name, "moved", false, 0, 0, null).block(WAIT);
        backends().startMigration(taro.id(), name, false, false).block(WAIT);
        assertThat(backends().migration(taro.id()).block(WAIT)).satisfies(status -> {
            assertThat(status.state()).as("started again").isEqualTo("queued");
            assertThat(status.background()).isTrue();
            assertThat(status.cutoverWhenVerified()).isFalse();
            assertThat(status.nextPassAt()).isNotNull();
        });
        backends().schedulePass(taro.id(), null).block(WAIT);
        assertThat(backends().migration(taro.id()).block(WAIT).background()).isFalse();
        backends().setDomainRoute(domainId, null).block(WAIT);
        backends().setRoute(hana.id(), null).block(WAIT);
    }

    @Test
    void oneWorkerAtATimeShouldHoldAPersonsMigration() throws InterruptedException {
        String domain = "l" + NEXT.incrementAndGet() + ".example";
        STORE.store().directory().addDomain(domain).block(WAIT);
        Account taro = STORE.store().directory()
                .addAccount(new NewAccount("taro@" + domain, "taro.l" + NEXT.get(), "Taro", null)).block(WAIT);
        assertThat(backends().lock(taro.id(), "cli-1", Duration.ofMinutes(1)).block(WAIT)).isEqualTo("cli-1");
        assertThat(backends().lock(taro.id(), "server-a", Duration.ofMinutes(1)).block(WAIT)).isEqualTo("cli-1");
        assertThat(backends().lock(taro.id(), "cli-1", Duration.ofMillis(200)).block(WAIT)).as("renewed")
                .isEqualTo("cli-1");
        Thread.sleep(400);
        assertThat(backends().lock(taro.id(), "server-a", Duration.ofMinutes(1)).block(WAIT)).as("ran out")
                .isEqualTo("server-a");
        backends().unlock(taro.id(), "cli-1").block(WAIT);
        assertThat(backends().lock(taro.id(), "cli-2", Duration.ofMinutes(1)).block(WAIT)).as("not cli-1's")
                .isEqualTo("server-a");
        assertThat(backends().takeOver(taro.id(), "cli-9", "cli-3", Duration.ofMinutes(1)).block(WAIT)).isFalse();
        assertThat(backends().takeOver(taro.id(), "server-a", "cli-3", Duration.ofMinutes(1)).block(WAIT)).isTrue();
        assertThat(backends().lock(taro.id(), "cli-2", Duration.ofMinutes(1)).block(WAIT)).isEqualTo("cli-3");
        backends().unlock(taro.id(), "cli-3").block(WAIT);
        assertThat(backends().lock(taro.id(), "cli-2", Duration.ofMinutes(1)).block(WAIT)).isEqualTo("cli-2");
        backends().unlock(taro.id(), "cli-2").block(WAIT);
    }

    @Test
    void aSystemsThrottleShouldBeKeptReplacedAndGoWithTheSystem() {
        String name = "throttled-" + NEXT.incrementAndGet();
        assertThat(backends().setThrottle(name, new dev.hato.store.legacy.Throttle(2, null)).block(WAIT))
                .as("no such system").isFalse();
        backends().put(new LegacyBackend(name, new Server("imap.old.example", 993, Tls.IMPLICIT), null, null, null,
                null, null, null), false).block(WAIT);
        assertThat(backends().throttle(name).block(WAIT)).isEqualTo(dev.hato.store.legacy.Throttle.NONE);
        assertThat(backends().setThrottle(name, new dev.hato.store.legacy.Throttle(2, 1_000_000L)).block(WAIT))
                .isTrue();
        assertThat(backends().throttle(name).block(WAIT)).isEqualTo(new dev.hato.store.legacy.Throttle(2, 1_000_000L));
        backends().setThrottle(name, new dev.hato.store.legacy.Throttle(null, 500L)).block(WAIT);
        assertThat(backends().throttle(name).block(WAIT)).isEqualTo(new dev.hato.store.legacy.Throttle(null, 500L));
        assertThat(backends().remove(name).block(WAIT)).isTrue();
        assertThat(backends().throttle(name).block(WAIT)).isEqualTo(dev.hato.store.legacy.Throttle.NONE);
    }
}
