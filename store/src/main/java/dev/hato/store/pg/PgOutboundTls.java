package dev.hato.store.pg;

import dev.hato.store.queue.StoredStsPolicy;
import dev.hato.store.queue.StsPolicyCache;
import dev.hato.store.queue.TlsSession;
import dev.hato.store.queue.TlsSessions;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.LocalDate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** MTA-STS policies in {@code mta_sts_policy} and TLS report counts in {@code tls_report_session} (V14). */
final class PgOutboundTls implements StsPolicyCache, TlsSessions {

    private static final String SESSION_COLUMNS = "policy_domain, policy_type, policy_id, policy_string, mx_host,"
            + " receiving_ip, result_type, sessions";

    private final Database db;

    PgOutboundTls(Database db) {
        this.db = db;
    }

    @Override
    public Mono<StoredStsPolicy> get(String domain) {
        return db.query("SELECT domain, policy_id, body, fetched, expires FROM mta_sts_policy WHERE domain = $1",
                row -> new StoredStsPolicy(Database.required(row, "domain", String.class),
                        Database.required(row, "policy_id", String.class),
                        Database.required(row, "body", String.class),
                        instant(row, "fetched"), instant(row, "expires")), domain).next();
    }

    @Override
    public Mono<Void> put(StoredStsPolicy policy) {
        return db.update("INSERT INTO mta_sts_policy (domain, policy_id, body, fetched, expires)"
                        + " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (domain) DO UPDATE SET policy_id = excluded.policy_id,"
                        + " body = excluded.body, fetched = excluded.fetched, expires = excluded.expires",
                policy.domain(), policy.id(), policy.body(), policy.fetched(), policy.expires()).then();
    }

    @Override
    public Mono<Void> add(LocalDate day, TlsSession session) {
        return db.update("INSERT INTO tls_report_session (day, " + SESSION_COLUMNS + ")"
                        + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                        + " ON CONFLICT (day, policy_domain, policy_type, policy_id, mx_host, receiving_ip, result_type)"
                        + " DO UPDATE SET sessions = tls_report_session.sessions + excluded.sessions,"
                        + " policy_string = excluded.policy_string",
                day, session.policyDomain(), session.policyType(), session.policyId(), session.policyString(),
                session.mxHost(), session.receivingIp(), session.resultType(), session.sessions()).then();
    }

    @Override
    public Flux<DomainDay> due(LocalDate before) {
        return db.query("SELECT DISTINCT day, policy_domain FROM tls_report_session WHERE day < $1"
                        + " ORDER BY day, policy_domain",
                row -> new DomainDay(Database.required(row, "day", LocalDate.class),
                        Database.required(row, "policy_domain", String.class)), before);
    }

    @Override
    public Flux<TlsSession> take(LocalDate day, String policyDomain) {
        return db.query("DELETE FROM tls_report_session WHERE day = $1 AND policy_domain = $2 RETURNING "
                + SESSION_COLUMNS, PgOutboundTls::session, day, policyDomain);
    }

    private static TlsSession session(Readable row) {
        return new TlsSession(Database.required(row, "policy_domain", String.class),
                Database.required(row, "policy_type", String.class),
                Database.required(row, "policy_id", String.class),
                Database.required(row, "policy_string", String.class),
                Database.required(row, "mx_host", String.class),
                Database.required(row, "receiving_ip", String.class),
                Database.required(row, "result_type", String.class),
                Database.required(row, "sessions", Long.class));
    }

    private static Instant instant(Readable row, String column) {
        return Database.required(row, column, Instant.class);
    }
}
