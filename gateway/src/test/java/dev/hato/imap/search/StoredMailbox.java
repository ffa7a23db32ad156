package dev.hato.imap.search;

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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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

/**
 * A real embedded PostgreSQL with the Hato schema for one test class, and a way to store messages with their facts
 * as the delivery path will once it parses them ({@code blob_facts} rows written with SQL until then).
 */
final class StoredMailbox implements BeforeAllCallback, AfterAllCallback {

    private static final AtomicLong NEXT = new AtomicLong();

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
        return store.mailboxes().messages(mailbox[0], mailbox[1]).collectList().block(Duration.ofSeconds(30));
    }

    /** One message to store; fields left alone are empty or absent. */
    static final class Message {
        Instant internalDate = Instant.parse("2024-03-05T12:00:00Z");
        /** RFC 8514 save date; null stores none, as for a message stored before the store kept save dates. */
        @Nullable Instant saveDate;
        long size = 1000;
        long modseq = 1;
        Set<String> flags = Set.of();
        String headerText = "";
        String bodyText = "";
        String baseSubject = "";
        String from = "";
        String to = "";
        String cc = "";
        @Nullable Instant sentDate;
        @Nullable String messageId;
        List<String> references = List.of();
        @Nullable String displayFrom;
        boolean facts = true;
    }

    /** Stores the message at the mailbox's next UID and returns the UID. */
    long add(long[] mailbox, Message m) {
        long blob = id("INSERT INTO blob (sha256, size) VALUES ($1, $2) RETURNING id",
                ByteBuffer.wrap(sha256("blob " + NEXT.incrementAndGet())), m.size);
        if (m.facts) {
            execute("INSERT INTO blob_facts (blob_id, structure, header_text, body_text, base_subject, sort_from,"
                    + " sort_to, sort_cc, sent_date, message_id, refs, display_from)"
                    + " VALUES ($1, '\\x00', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING 1",
                    blob, m.headerText, m.bodyText, m.baseSubject, m.from, m.to, m.cc,
                    m.sentDate == null ? Parameters.in(OffsetDateTime.class)
                            : OffsetDateTime.ofInstant(m.sentDate, ZoneOffset.UTC),
                    nullable(m.messageId), m.references.toArray(String[]::new), nullable(m.displayFrom));
        }
        return id("WITH next AS (UPDATE mailbox SET uid_next = uid_next + 1"
                        + " WHERE account_id = $1 AND id = $2 RETURNING uid_next - 1 AS uid)"
                        + " INSERT INTO message (account_id, mailbox_id, uid, modseq, blob_id, size, internal_date,"
                        + " flags, save_date) SELECT $1, $2, uid, $3, $4, $5, $6, $7, $8 FROM next RETURNING uid",
                mailbox[0], mailbox[1], m.modseq, blob, m.size,
                OffsetDateTime.ofInstant(m.internalDate, ZoneOffset.UTC), m.flags.toArray(String[]::new),
                m.saveDate == null ? Parameters.in(OffsetDateTime.class)
                        : OffsetDateTime.ofInstant(m.saveDate, ZoneOffset.UTC));
    }

    private static Object nullable(@Nullable String value) {
        return value == null ? Parameters.in(String.class) : value;
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
                .block(Duration.ofSeconds(30));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
