package dev.hato.store.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.admin.Administrators;
import dev.hato.store.directory.Account;
import dev.hato.store.directory.NewAccount;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Administrators against the embedded PostgreSQL: grants per domain and for the site, and the queries that decide
 * what an administrator sees (a department's administrator sees their domain's migrations, never another's).
 */
class PgAdministratorsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger NEXT = new AtomicInteger();

    @RegisterExtension
    static final EmbeddedStore STORE = new EmbeddedStore();

    private static Administrators administrators() {
        return STORE.store().administrators();
    }

    @Test
    void aDomainAdministratorShouldSeeTheirDomainOnlyAndASiteAdministratorEveryDomain() {
        int n = NEXT.incrementAndGet();
        String lab = "lab" + n + ".example";
        String office = "office" + n + ".example";
        var directory = STORE.store().directory();
        long labId = directory.addDomain(lab).block(WAIT).id();
        directory.addDomain(office).block(WAIT);
        Account head = directory.addAccount(new NewAccount("head@" + lab, "head.l" + n, "Head", null)).block(WAIT);
        Account student = directory.addAccount(new NewAccount("student@" + lab, "st.l" + n, "Student", null))
                .block(WAIT);
        Account clerk = directory.addAccount(new NewAccount("clerk@" + office, "clerk.o" + n, "Clerk", null))
                .block(WAIT);
        Account root = directory.addAccount(new NewAccount("root@" + office, "root.o" + n, "Root", null)).block(WAIT);

        assertThat(administrators().domains(head.id()).block(WAIT)).isEmpty();
        assertThat(administrators().grant(head.id(), labId).block(WAIT)).isTrue();
        assertThat(administrators().grant(head.id(), labId).block(WAIT)).as("once").isFalse();
        assertThat(administrators().grant(root.id(), null).block(WAIT)).isTrue();
        assertThat(administrators().grant(root.id(), null).block(WAIT)).as("once, site too").isFalse();
        assertThat(administrators().domains(head.id()).block(WAIT)).containsExactly(lab);
        assertThat(administrators().domains(root.id()).block(WAIT)).contains(lab, office);
        assertThat(administrators().grants().collectList().block(WAIT))
                .contains(new Administrators.Grant(root.address(), null), new Administrators.Grant(head.address(), lab));

        var backends = STORE.store().legacyBackends();
        backends.recordMigration(student.id(), "campus", "copied", true, 10, 0, null).block(WAIT);
        backends.recordMigration(clerk.id(), "campus", "failed", false, 0, 0, "refused").block(WAIT);
        assertThat(backends.migrationsAdministered(head.id(), lab).collectList().block(WAIT))
                .extracting(status -> status.address()).containsExactly(student.address());
        assertThat(backends.migrationsAdministered(head.id(), office).collectList().block(WAIT))
                .as("another department's").isEmpty();
        assertThat(backends.migrationsAdministered(student.id(), lab).collectList().block(WAIT))
                .as("not an administrator").isEmpty();
        assertThat(backends.migrationsAdministered(root.id(), office).collectList().block(WAIT))
                .extracting(status -> status.address()).containsExactly(clerk.address());

        assertThat(administrators().revoke(head.id(), labId).block(WAIT)).isTrue();
        assertThat(administrators().revoke(head.id(), labId).block(WAIT)).isFalse();
        assertThat(backends.migrationsAdministered(head.id(), lab).collectList().block(WAIT)).isEmpty();
        assertThat(administrators().revoke(root.id(), null).block(WAIT)).isTrue();
        assertThat(administrators().domains(root.id()).block(WAIT)).isEqualTo(List.of());
    }
}
