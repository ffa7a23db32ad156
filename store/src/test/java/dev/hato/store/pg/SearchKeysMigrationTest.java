package dev.hato.store.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.mail.MessageSearch.TextQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * V12 on a database that already holds messages: their search keys are computed in the migration, so that they are
 * found through the index at once (no second pass, no message left out).
 */
class SearchKeysMigrationTest {

    @Test
    void messagesStoredBeforeV12ShouldBeFoundThroughTheIndexAfterIt() throws Exception {
        Path dir = Files.createTempDirectory("hato-v12-");
        try (EmbeddedServer server = EmbeddedServer.attachOrStart(StoreSettings.defaults(dir).embeddedDataDirectory(), 0)) {
            ServerAddress address = ServerAddress.embedded(server.port(), "test");
            Flyway.configure(PgStore.class.getClassLoader())
                    .dataSource(address.jdbcUrl(), address.username(), address.password())
                    .locations("classpath:db/migration").target("11").load().migrate();
            long account;
            long mailbox;
            try (Connection sql = DriverManager.getConnection(address.jdbcUrl(), address.username(),
                    address.password()); Statement statement = sql.createStatement()) {
                account = id(statement, "WITH d AS (INSERT INTO domain (name) VALUES ('v12.example') RETURNING id)"
                        + " INSERT INTO account (domain_id, address, auth_id) SELECT id, 'ann@v12.example',"
                        + " 'ann.v12' FROM d RETURNING id");
                mailbox = id(statement, "INSERT INTO mailbox (account_id, name, uidvalidity, uid_next) VALUES ("
                        + account + ", 'INBOX', 1, 3) RETURNING id");
                for (int uid = 1; uid <= 2; uid++) {
                    long blob = id(statement, "INSERT INTO blob (sha256, size) VALUES (sha256('v12-" + uid
                            + "'::bytea), 100) RETURNING id");
                    String body = uid == 1 ? "来週の打ち合わせは東京で" : "the budget meeting";
                    statement.execute("INSERT INTO blob_facts (blob_id, structure, header_text, body_text,"
                            + " base_subject, sort_from, sort_to, sort_cc) VALUES (" + blob + ", '\\x00',"
                            + " 'subject: note " + uid + "', '" + body + "', '', '', '', '')");
                    statement.execute("INSERT INTO message (account_id, mailbox_id, uid, modseq, blob_id, size,"
                            + " internal_date) VALUES (" + account + ", " + mailbox + ", " + uid + ", 1, " + blob
                            + ", 100, now())");
                }
            }
            StoreSettings defaults = StoreSettings.defaults(dir);
            try (PgStore store = PgStore.open(new StoreSettings(dir, null, null, null, server.port(),
                    defaults.poolSize(), defaults.batchWindow(), defaults.batchSize()))) {
                assertThat(TestSql.rows(store, "SELECT body_grams::text FROM blob_facts f JOIN message m"
                        + " ON m.blob_id = f.blob_id WHERE m.uid = 1")).containsExactly(
                        List.of(SearchGrams.literal(SearchGrams.of("来週の打ち合わせは東京で"))));
                PgMessageSearch search = (PgMessageSearch) store.search();
                int large = PgMessageSearch.SCAN_BELOW + 1;
                assertThat(search.way(TextQuery.body("打ち合わせ"), large).block())
                        .isEqualTo(PgMessageSearch.Way.INDEX);
                assertThat(search.find(account, mailbox, TextQuery.body("打ち合わせ"), large).collectList().block())
                        .containsExactly(1L);
                assertThat(search.find(account, mailbox, TextQuery.field("subject", "note 2"), large)
                        .collectList().block()).containsExactly(2L);
            }
        }
    }

    private static long id(Statement statement, String sql) throws Exception {
        try (ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
