package dev.hato.store.pg;

import dev.hato.store.audit.AuditLog;
import dev.hato.store.directory.Addresses;
import dev.hato.store.directory.Directory;
import dev.hato.store.keys.DkimKeys;
import dev.hato.store.mail.BatchStats;
import dev.hato.store.mail.DeliveryWriter;
import dev.hato.store.mail.Blobs;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessageSearch;
import dev.hato.store.queue.StsPolicyCache;
import dev.hato.store.queue.TlsSessions;
import dev.hato.store.queue.OutboundQueue;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.spi.ConnectionFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * The store on PostgreSQL: opened once at start-up, it migrates the schema, builds the connection pool and hands
 * out the {@link Directory}, the {@link Mailboxes}, the {@link Blobs} (content and facts), the batching
 * {@link DeliveryWriter}, the {@link OutboundQueue} and the {@link AuditLog}.
 *
 * <p>Without a URL it uses the embedded PostgreSQL in {@code <dataDirectory>/postgres}: it attaches to the one
 * already running there (the server, while the {@code hato} CLI runs from another JVM) or starts it. Only a server
 * this store started is stopped by {@link #close()}.
 */
public final class PgStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PgStore.class);

    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POOL_CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration AUDIT_FLUSH_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration FEED_FIRST_BACKOFF = Duration.ofMillis(100);

    private final @Nullable EmbeddedServer embedded;
    private final ConnectionPool pool;
    private final PgDirectory directory;
    private final PgBlobs blobs;
    private final DeliveryBatcher deliveries;
    private final PgOutboundQueue outbound;
    private final PgAuditLog auditLog;
    private final PgAddresses addresses;
    private final PgDkimKeys dkimKeys;
    private final PgOutboundTls outboundTls;
    private final PgSieveScripts sieveScripts;
    private final PgLegacyBackends legacyBackends;
    private final PgAdministrators administrators;
    private final PgAddressBooks addressBooks;
    private final PgMessageSearch search;
    private final MailboxFeed feed;
    private final PostgresqlConnectionFactory listener;
    private final PgMailboxes mailboxes;
    private final String description;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PgStore(@Nullable EmbeddedServer embedded, ConnectionPool pool, PostgresqlConnectionFactory listener,
                    StoreSettings settings, String description) {
        this.embedded = embedded;
        this.pool = pool;
        this.description = description;
        Database db = new Database(pool);
        this.directory = new PgDirectory(db);
        this.blobs = new PgBlobs(db);
        this.outbound = new PgOutboundQueue(db, blobs);
        this.deliveries = new DeliveryBatcher(new BatchWriter(db), settings.batchSize(), settings.batchWindow(),
                Schedulers.parallel(), outbound::queuedCommitted);
        this.auditLog = new PgAuditLog(db, Schedulers.parallel());
        this.addresses = new PgAddresses(db);
        this.dkimKeys = new PgDkimKeys(db);
        this.outboundTls = new PgOutboundTls(db);
        this.sieveScripts = new PgSieveScripts(db);
        this.legacyBackends = new PgLegacyBackends(db);
        this.administrators = new PgAdministrators(db);
        this.addressBooks = new PgAddressBooks(db);
        this.listener = listener;
        this.search = new PgMessageSearch(db);
        this.feed = new MailboxFeed(listener::create, FEED_FIRST_BACKOFF);
        this.mailboxes = new PgMailboxes(db, new PgMessages(db), feed);
    }

    /**
     * Connects (starting or attaching to the embedded server when no URL is set), brings the schema up to date and
     * opens the pool. Blocks: call it at start-up, never on an event loop.
     *
     * @throws IllegalStateException when the database cannot be reached or migrated
     */
    public static PgStore open(StoreSettings settings) {
        return open(settings, true);
    }

    /**
     * Opens the store for one administrative command (the {@code hato} CLI): as {@link #open}, except that a database
     * some server uses is never migrated. Attached to a running server, or given a URL, it checks the schema version
     * with one query instead of starting Flyway (a second or more of a short command's life), and refuses a schema
     * older than this code's; only an embedded PostgreSQL it had to start itself, which no server runs on, is
     * migrated.
     *
     * @throws IllegalStateException when the database cannot be reached, or its schema is behind this code
     */
    public static PgStore openForAdministration(StoreSettings settings) {
        return open(settings, false);
    }

    private static PgStore open(StoreSettings settings, boolean server) {
        EmbeddedServer embedded = null;
        try {
            LocatedServer located = LocatedServer.locate(settings);
            embedded = located.embedded();
            ServerAddress address = located.address();
            boolean migrate = server || embedded != null && !embedded.attached();
            if (migrate) {
                Migrations.migrate(address);
            }
            PostgresqlConnectionFactory factory = new PostgresqlConnectionFactory(address.r2dbcConfiguration());
            ConnectionPool pool = new ConnectionPool(ConnectionPoolConfiguration
                    .builder(factory)
                    .name("hato-store")
                    .initialSize(1)
                    .maxSize(settings.poolSize())
                    .maxIdleTime(Duration.ofMinutes(10))
                    .maxAcquireTime(Duration.ofSeconds(30))
                    .maxCreateConnectionTime(Duration.ofSeconds(10))
                    .build());
            PgStore store = new PgStore(embedded, pool, factory, settings, address.description());
            if (!migrate) {
                try {
                    SchemaVersion.requireCurrent(new Database(pool));
                } catch (RuntimeException e) {
                    embedded = null; // closed by the store
                    store.close();
                    throw e;
                }
            }
            log.info("store open: {}", store.describe());
            return store;
        } catch (RuntimeException e) {
            LocatedServer.release(embedded, e);
            throw e instanceof IllegalStateException ? e
                    : new IllegalStateException("could not open the store: " + e.getMessage(), e);
        }
    }

    public Directory directory() {
        return directory;
    }

    /** Message content and the facts parsed from it, by blob id. */
    public Blobs blobs() {
        return blobs;
    }

    public DeliveryWriter deliveries() {
        return deliveries;
    }

    /** Aliases, catch-alls and forwarding. */
    public Addresses addresses() {
        return addresses;
    }

    /** Messages waiting for remote recipients, written by {@link #deliveries()} and shared by all nodes. */
    public OutboundQueue outboundQueue() {
        return outbound;
    }

    /** Login attempts, written in batches in the background; flushed by {@link #close()}. */
    public AuditLog auditLog() {
        return auditLog;
    }

    /** IMAP SEARCH text keys and SORT/THREAD fields over the facts parsed from each message. */
    public MessageSearch search() {
        return search;
    }

    /**
     * IMAP's mailboxes and messages, and the change feed: the first subscription to {@link Mailboxes#events()}
     * opens this store's one LISTEN connection (outside the pool), kept until {@link #close()}.
     */
    public Mailboxes mailboxes() {
        return mailboxes;
    }

    /** The same mailboxes, as a migration fills them: the old server's UIDVALIDITY and UIDs kept (issue 17). */
    public dev.hato.store.mail.KeptUids keptUids() {
        return mailboxes;
    }

    /** The DKIM signing keys of every domain. */
    public DkimKeys dkimKeys() {
        return dkimKeys;
    }

    /** Each person's Sieve scripts, with the vacation and failure records delivery keeps about them. */
    public dev.hato.store.sieve.SieveScripts sieveScripts() {
        return sieveScripts;
    }

    /** The old mail systems of a migration, and people's logins on them. */
    public dev.hato.store.legacy.LegacyBackends legacyBackends() {
        return legacyBackends;
    }

    /** Site administrators and the administrators of domains. */
    public dev.hato.store.admin.Administrators administrators() {
        return administrators;
    }

    /** Each person's address books (contacts and groups, CardDAV's sync tokens). */
    public dev.hato.store.contacts.AddressBooks addressBooks() {
        return addressBooks;
    }

    /** The MTA-STS policies fetched for destination domains (RFC 8461 §5.1: cached until they expire). */
    public StsPolicyCache stsPolicies() {
        return outboundTls;
    }

    /** The outbound TLS session counts behind the daily TLS reports (RFC 8460). */
    public TlsSessions tlsSessions() {
        return outboundTls;
    }

    /**
     * One line for the start-up banner, e.g. {@code embedded PostgreSQL 16.16 on 127.0.0.1:54321, data in
     * hato-data/postgres} or {@code PostgreSQL at r2dbc:postgresql://db/hato} (never with credentials).
     */
    public String describe() {
        return description;
    }

    /** Delivery transactions committed since open: a meter for batching (fewer than messages under load). */
    public long batchesCommitted() {
        return deliveries.batchesCommitted();
    }

    /**
     * Each delivery batch this node writes from now on (size, write time, committed or not), for the metrics; emitted
     * on the thread that ends the batch, so subscribers only count.
     */
    public Flux<BatchStats> deliveryBatches() {
        return deliveries.batches();
    }

    /** Unpooled connections like the change feed's, for tests of the feed. */
    PostgresqlConnectionFactory unpooledConnections() {
        return listener;
    }

    /** The pool, for tests that look at rows no interface exposes (change log, chunks). */
    ConnectionFactory connections() {
        return pool;
    }

    /**
     * Drains the delivery batcher (new deliveries are refused, queued and in-flight ones commit), writes the queued
     * audit events, closes the pool, then stops the embedded PostgreSQL if this store started it. Blocks; idempotent.
     */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        feed.close();
        try {
            deliveries.close(DRAIN_TIMEOUT);
        } finally {
            auditLog.close(AUDIT_FLUSH_TIMEOUT); // never throws
            try {
                pool.disposeLater().block(POOL_CLOSE_TIMEOUT);
            } catch (RuntimeException e) {
                log.warn("closing the connection pool failed: {}", e.toString());
            } finally {
                if (embedded != null) {
                    embedded.close();
                }
            }
        }
        log.info("store closed: {}", description);
    }
}
