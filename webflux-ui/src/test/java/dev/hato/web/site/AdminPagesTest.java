package dev.hato.web.site;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.directory.Account;
import dev.hato.store.directory.NewAccount;
import dev.hato.web.admin.AdminRoutes;
import dev.hato.web.settings.MailboxMoves;
import dev.hato.store.pg.PgStore;
import dev.hato.store.pg.StoreSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin area over a real store: a department's administrator sees their domain's move from the old system
 * (state, messages copied, throughput, verification, errors) and gets 403 for another domain's and for the site's
 * overview of domains they do not administer; someone who administers nothing gets 403; a site administrator sees
 * every domain.
 */
class AdminPagesTest {

    private static final AtomicInteger NEXT = new AtomicInteger();

    @TempDir
    static Path data;
    static PgStore store;

    @BeforeAll
    static void open() {
        store = PgStore.open(StoreSettings.defaults(data));
    }

    @AfterAll
    static void close() {
        store.close();
    }

    @Test
    void aDepartmentAdministratorShouldSeeTheirDomainsMoveAndNothingOfAnotherDomain() {
        {
            int n = NEXT.incrementAndGet();
            String lab = "lab" + n + ".example.test";
            String office = "office" + n + ".example.test";
            long labId = store.directory().addDomain(lab).block().id();
            store.directory().addDomain(office).block();
            Account head = account(lab, "head");
            Account student = account(lab, "student");
            Account waiting = account(lab, "waiting");
            Account clerk = account(office, "clerk");
            Account root = account(office, "root");
            store.administrators().grant(head.id(), labId).block();
            store.administrators().grant(root.id(), null).block();
            var legacy = store.legacyBackends();
            legacy.recordMigration(student.id(), "campus", "copied", true, 1200, 2, null).block();
            legacy.recordVerification(student.id(), false).block();
            legacy.recordMigration(waiting.id(), "campus", "failed", false, 0, 0, "the old server refused the login")
                    .block();
            legacy.recordMigration(clerk.id(), "campus", "moved", false, 300, 0, null).block();
            AdminRoutes admin = new AdminRoutes(store.mailboxes(), store.administrators(), legacy);

            MailPagesTest.Browser headBrowser = browser(head, admin);
            String overview = headBrowser.get("/admin");
            assertThat(overview).contains(lab).doesNotContain(office);
            String dashboard = headBrowser.get("/admin/migration?domain=" + lab);
            assertThat(dashboard).contains("id=\"summary-people\">2<", "id=\"summary-copied\">1200<",
                    "id=\"summary-refused\">2<", "id=\"summary-differing\">1<", student.address(),
                    waiting.address(), "the old server refused the login", "id=\"summary-state-failed\">1<")
                    .doesNotContain(clerk.address());
            assertThat(headBrowser.status("/admin/migration?domain=" + office)).as("another domain").isEqualTo(403);
            assertThat(headBrowser.status("/admin/migration")).as("no domain").isEqualTo(403);

            assertThat(browser(student, admin).status("/admin")).as("not an administrator").isEqualTo(403);
            assertThat(browser(student, admin).status("/admin/migration?domain=" + lab)).isEqualTo(403);

            MailPagesTest.Browser rootBrowser = browser(root, admin);
            assertThat(rootBrowser.get("/admin")).contains(lab, office);
            assertThat(rootBrowser.get("/admin/migration?domain=" + office)).contains(clerk.address(),
                    "id=\"summary-state-moved\">1<");
        }
    }

    private static Account account(String domain, String name) {
        String authId = name + NEXT.incrementAndGet() + ".adm-x1";
        return store.directory().addAccount(new NewAccount(name + "@" + domain, authId, name, null))
                .block();
    }

    private static MailPagesTest.Browser browser(Account account, AdminRoutes admin) {
        return new MailPagesTest.Browser(store, account, Duration.ofMinutes(30), MailboxMoves.NONE, admin);
    }
}
