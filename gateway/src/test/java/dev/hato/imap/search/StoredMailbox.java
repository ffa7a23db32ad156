package dev.hato.imap.search;

import dev.hato.app.HeldMessage;
import dev.hato.imap.fetch.MessageIndexer;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessageFacts;
import dev.hato.store.mail.MessageMeta;
import dev.hato.store.pg.PgStore;
import dev.hato.store.pg.StoreSettings;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Parameters;
import io.r2dbc.spi.Statement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A real embedded PostgreSQL with the Hato schema for one test class, and a way to store messages as Hato stores
 * them: raw octets, parsed by the same parser as every received message, appended through the store (never facts
 * written by hand).
 */
final class StoredMailbox implements BeforeAllCallback, AfterAllCallback {

    private static final AtomicLong NEXT = new AtomicLong();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final MessageIndexer INDEXER = MessageIndexer.withDefaults(Schedulers.boundedElastic());

    private PgStore store;
    private ConnectionFactory sql;

    @Override
    public void beforeAll(ExtensionContext context) {
        int port;
        Path directory;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
            directory = Files.createTempDirectory("hato-search-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StoreSettings defaults = StoreSettings.defaults(directory);
        store = PgStore.open(new StoreSettings(directory, null, null, null, port, defaults.poolSize(),
                defaults.batchWindow(), defaults.batchSize()));
        sql = new PostgresqlConnectionFactory(PostgresqlConnectionConfiguration.builder()
                .host("127.0.0.1").port(port).database("postgres").username("postgres").build());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (store != null) {
            store.close();
        }
    }

    PgStore store() {
        return store;
    }

    /** A new account with one empty mailbox; returns {accountId, mailboxId}. */
    long[] newMailbox() {
        long n = NEXT.incrementAndGet();
        long domain = id("INSERT INTO domain (name) VALUES ($1) RETURNING id", "search" + n + ".example");
        long account = id("INSERT INTO account (domain_id, address, auth_id) VALUES ($1, $2, $3) RETURNING id",
                domain, "ann@search" + n + ".example", "ann.search" + n);
        long mailbox = id("INSERT INTO mailbox (account_id, name, uidvalidity) VALUES ($1, 'INBOX', 1) RETURNING id",
                account);
        return new long[] {account, mailbox};
    }

    /** The messages of a mailbox as the session would hold them. */
    List<MessageMeta> messages(long[] mailbox) {
        return store.mailboxes().messages(mailbox[0], mailbox[1]).collectList().block(WAIT);
    }

    /**
     * Stores {@code message} (CRLF line ends) as IMAP APPEND does: facts from the parser every received message goes
     * through ({@link MessageIndexer#index}), then the store's append; returns the UID.
     */
    long add(long[] mailbox, String message, Instant internalDate, Set<String> flags) {
        return add(mailbox, message.getBytes(StandardCharsets.UTF_8), internalDate, flags);
    }

    /** As {@link #add(long[], String, Instant, Set)}, for octets in any charset. */
    long add(long[] mailbox, byte[] message, Instant internalDate, Set<String> flags) {
        HeldMessage content = new HeldMessage(message);
        MessageFacts facts = INDEXER.index(content).block(WAIT);
        return store.mailboxes().append(mailbox[0], mailbox[1], content, facts, flags, internalDate).block(WAIT)
                .uid();
    }

    /**
     * Forgets the facts of a stored message: a message delivered before its facts were known (a {@code Delivery}
     * without facts) has no {@code blob_facts} row until its first FETCH.
     */
    void forgetFacts(long[] mailbox, long uid) {
        execute("DELETE FROM blob_facts WHERE blob_id = (SELECT blob_id FROM message WHERE account_id = $1"
                + " AND mailbox_id = $2 AND uid = $3) RETURNING 1", mailbox[0], mailbox[1], uid);
    }

    /**
     * Sets a stored message's RFC 8514 save date (which the store sets to the time of its commit); null, as for a
     * message stored before save dates were kept.
     */
    void setSaveDate(long[] mailbox, long uid, @Nullable Instant saveDate) {
        execute("UPDATE message SET save_date = $4 WHERE account_id = $1 AND mailbox_id = $2 AND uid = $3"
                + " RETURNING 1", mailbox[0], mailbox[1], uid, saveDate == null ? Parameters.in(OffsetDateTime.class)
                : OffsetDateTime.ofInstant(saveDate, ZoneOffset.UTC));
    }

    /** Changes flags as STORE does, which gives the messages a new modseq. */
    void store(long[] mailbox, long uid, Mailboxes.FlagMode mode, Set<String> flags) {
        store.mailboxes().store(mailbox[0], mailbox[1], List.of(uid), mode, flags, null).block(WAIT);
    }

    private long id(String statement, Object... parameters) {
        return ((Number) execute(statement, parameters).get(0)).longValue();
    }

    private List<Object> execute(String statement, Object... parameters) {
        return Flux.usingWhen(sql.create(), connection -> {
                    Statement s = connection.createStatement(statement);
                    for (int i = 0; i < parameters.length; i++) {
                        s.bind(i, parameters[i]);
                    }
                    return Flux.from(s.execute()).concatMap(result -> result.map((row, meta) -> row.get(0)));
                }, Connection::close)
                .collectList()
                .switchIfEmpty(Mono.just(new ArrayList<>()))
                .block(WAIT);
    }
}
