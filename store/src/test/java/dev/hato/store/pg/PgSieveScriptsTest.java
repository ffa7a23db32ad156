package dev.hato.store.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.store.directory.Account;
import dev.hato.store.directory.NewAccount;
import dev.hato.store.sieve.SieveScript;
import dev.hato.store.sieve.SieveScriptException;
import dev.hato.store.sieve.SieveScripts;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;

/** Sieve scripts against the embedded PostgreSQL: one active at most, the limits, and the two delivery records. */
class PgSieveScriptsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    @RegisterExtension
    static final EmbeddedStore STORE = new EmbeddedStore();

    private static SieveScripts scripts() {
        return STORE.store().sieveScripts();
    }

    private static long freshAccount() {
        String domain = "s" + NEXT.incrementAndGet() + ".example";
        STORE.store().directory().addDomain(domain).block(WAIT);
        String local = "p" + NEXT.incrementAndGet();
        Account account = STORE.store().directory()
                .addAccount(new NewAccount(local + "@" + domain, local + ".auth", local, null)).block(WAIT);
        return account.id();
    }

    private static List<String> names(long account) {
        return scripts().list(account).map(s -> s.name() + (s.active() ? "*" : "")).collectList().block(WAIT);
    }

    private static SieveScriptException.Reason reasonOf(Runnable action) {
        try {
            action.run();
        } catch (SieveScriptException e) {
            return e.reason();
        }
        throw new AssertionError("no SieveScriptException");
    }

    @Test
    void aPersonShouldHaveAtMostOneActiveScriptAndDeliveryShouldReadItInOneCall() {
        long ann = freshAccount();
        long ben = freshAccount();
        scripts().put(ann, "vacation", "require \"vacation\";\nvacation \"away\";\n").block(WAIT);
        scripts().put(ann, "日本語のフィルタ", "keep;").block(WAIT);
        scripts().put(ben, "main", "discard;").block(WAIT);
        assertThat(scripts().active(List.of(ann, ben)).block(WAIT)).isEmpty();

        scripts().activate(ann, "vacation").block(WAIT);
        scripts().activate(ann, "日本語のフィルタ").block(WAIT);
        scripts().activate(ben, "main").block(WAIT);

        assertThat(names(ann)).containsExactly("vacation", "日本語のフィルタ*");
        Map<Long, SieveScript> active = scripts().active(List.of(ann, ben, 999_999L)).block(WAIT);
        assertThat(active).containsOnlyKeys(ann, ben);
        assertThat(active.get(ann).content()).isEqualTo("keep;");
        scripts().activate(ann, null).block(WAIT);
        assertThat(names(ann)).containsExactly("vacation", "日本語のフィルタ");
    }

    @Test
    void replacingAnActiveScriptShouldKeepItActiveAndRenamingShouldKeepItsText() {
        long ann = freshAccount();
        scripts().put(ann, "main", "keep;").block(WAIT);
        scripts().activate(ann, "main").block(WAIT);
        scripts().put(ann, "main", "discard;").block(WAIT);
        scripts().rename(ann, "main", "renamed").block(WAIT);

        SieveScript script = scripts().get(ann, "renamed").block(WAIT);
        assertThat(script.content()).isEqualTo("discard;");
        assertThat(script.active()).isTrue();
        assertThat(scripts().get(ann, "main").blockOptional(WAIT)).isEmpty();
    }

    @Test
    void theRulesOfRfc5804ShouldBeRefusedWithTheirReason() {
        long ann = freshAccount();
        scripts().put(ann, "a", "keep;").block(WAIT);
        scripts().put(ann, "b", "keep;").block(WAIT);
        scripts().activate(ann, "a").block(WAIT);

        assertThat(reasonOf(() -> scripts().delete(ann, "a").block(WAIT)))
                .isEqualTo(SieveScriptException.Reason.ACTIVE);
        assertThat(reasonOf(() -> scripts().delete(ann, "nope").block(WAIT)))
                .isEqualTo(SieveScriptException.Reason.NONEXISTENT);
        assertThat(reasonOf(() -> scripts().activate(ann, "nope").block(WAIT)))
                .isEqualTo(SieveScriptException.Reason.NONEXISTENT);
        assertThat(reasonOf(() -> scripts().rename(ann, "b", "a").block(WAIT)))
                .isEqualTo(SieveScriptException.Reason.ALREADY_EXISTS);
        assertThat(reasonOf(() -> scripts().put(ann, "with/slash", "keep;").block(WAIT)))
                .isEqualTo(SieveScriptException.Reason.BAD_NAME);
        assertThat(reasonOf(() -> scripts().put(ann, "tab\there", "keep;").block(WAIT)))
                .isEqualTo(SieveScriptException.Reason.BAD_NAME);
        assertThat(reasonOf(() -> scripts().put(ann, "big", "#".repeat(SieveScripts.MAX_SCRIPT_OCTETS + 1))
                .block(WAIT))).isEqualTo(SieveScriptException.Reason.QUOTA);
        // A refused activation of an unknown script leaves the active one as it was.
        assertThat(names(ann)).containsExactly("a*", "b");
        scripts().delete(ann, "b").block(WAIT);
        assertThat(names(ann)).containsExactly("a*");
    }

    @Test
    void concurrentUploadsShouldNeverGoPastTheLimitOnScripts() {
        long ann = freshAccount();
        Flux.range(0, SieveScripts.MAX_SCRIPTS + 8)
                .flatMap(i -> scripts().put(ann, "s" + i, "keep;")
                        .onErrorResume(SieveScriptException.class, e -> reactor.core.publisher.Mono.empty()), 8)
                .blockLast(WAIT);

        assertThat(names(ann)).hasSize(SieveScripts.MAX_SCRIPTS);
        // Replacing one of them is not a new script.
        scripts().put(ann, "s0", "discard;").block(WAIT);
        assertThatThrownBy(() -> scripts().put(ann, "one-more", "keep;").block(WAIT))
                .isInstanceOf(SieveScriptException.class).hasMessageContaining("at most");
    }

    @Test
    void aVacationResponseShouldBeDueOncePerSenderAndHandleWithinItsPeriod() {
        long ann = freshAccount();
        Duration week = Duration.ofDays(7);
        assertThat(scripts().vacationDue(ann, "bob@example.org", "h1", T0, week).block(WAIT)).isTrue();
        assertThat(scripts().vacationDue(ann, "bob@example.org", "h1", T0.plusSeconds(60), week).block(WAIT))
                .isFalse();
        assertThat(scripts().vacationDue(ann, "bob@example.org", "h2", T0, week).block(WAIT)).isTrue();
        assertThat(scripts().vacationDue(ann, "carol@example.org", "h1", T0, week).block(WAIT)).isTrue();
        assertThat(scripts().vacationDue(ann, "bob@example.org", "h1", T0.plus(week), week).block(WAIT)).isTrue();
        assertThat(scripts().vacationDue(ann, "bob@example.org", "h1", T0.plus(week).plusSeconds(1), week)
                .block(WAIT)).isFalse();
    }

    @Test
    void theOwnerShouldBeToldOfAFailingScriptOncePerVersion() {
        long ann = freshAccount();
        assertThat(scripts().firstFailure(ann, "d1").block(WAIT)).isTrue();
        assertThat(scripts().firstFailure(ann, "d1").block(WAIT)).isFalse();
        assertThat(scripts().firstFailure(ann, "d2").block(WAIT)).isTrue();
    }
}
