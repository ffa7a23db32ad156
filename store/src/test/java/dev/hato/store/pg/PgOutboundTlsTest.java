package dev.hato.store.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.queue.StoredStsPolicy;
import dev.hato.store.queue.TlsSession;
import dev.hato.store.queue.TlsSessions;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;

/** MTA-STS policies and TLS report counts against the embedded PostgreSQL. */
class PgOutboundTlsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00.123456Z");

    @RegisterExtension
    static final EmbeddedStore STORE = new EmbeddedStore();

    private static String freshDomain() {
        return "sts-" + NAMES.incrementAndGet() + "-" + System.nanoTime() + ".example";
    }

    @Test
    void aStoredPolicyShouldReplaceTheDomainsPreviousOne() {
        String domain = freshDomain();
        var cache = STORE.store().stsPolicies();
        assertThat(cache.get(domain).blockOptional(WAIT)).isEmpty();

        cache.put(new StoredStsPolicy(domain, "a1", "version: STSv1\nmode: testing\n", T0, T0.plusSeconds(60)))
                .block(WAIT);
        StoredStsPolicy newer = new StoredStsPolicy(domain, "b2", "version: STSv1\nmode: enforce\n",
                T0.plusSeconds(10), T0.plusSeconds(86_410));
        cache.put(newer).block(WAIT);

        assertThat(cache.get(domain).block(WAIT)).isEqualTo(newer);
    }

    @Test
    void countsShouldAddUpPerKindAndBeTakenByOneCallerOnly() {
        String domain = freshDomain();
        TlsSessions sessions = STORE.store().tlsSessions();
        LocalDate day = LocalDate.of(2026, 12, 5);
        TlsSession ok = new TlsSession(domain, "sts", "id1", "version: STSv1", "mx." + domain, "192.0.2.1", "", 1);
        TlsSession bad = new TlsSession(domain, "sts", "id1", "version: STSv1", "mx." + domain, "192.0.2.1",
                "certificate-not-trusted", 1);
        Flux.range(0, 5).concatMap(i -> sessions.add(day, ok)).blockLast(WAIT);
        sessions.add(day, bad).block(WAIT);
        sessions.add(day.plusDays(1), ok).block(WAIT);

        assertThat(sessions.due(day.plusDays(1)).collectList().block(WAIT))
                .contains(new TlsSessions.DomainDay(day, domain))
                .doesNotContain(new TlsSessions.DomainDay(day.plusDays(1), domain));
        List<TlsSession> taken = sessions.take(day, domain).collectList().block(WAIT);
        assertThat(taken).containsExactlyInAnyOrder(
                new TlsSession(domain, "sts", "id1", "version: STSv1", "mx." + domain, "192.0.2.1", "", 5), bad);
        assertThat(sessions.take(day, domain).collectList().block(WAIT)).isEmpty();
        assertThat(sessions.take(day.plusDays(1), domain).collectList().block(WAIT)).hasSize(1);
    }
}
