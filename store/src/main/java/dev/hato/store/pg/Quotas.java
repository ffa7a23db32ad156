package dev.hato.store.pg;

import dev.hato.store.mail.MailboxException.Reason;
import dev.hato.store.mail.MailboxException;
import dev.hato.store.mail.Mailboxes.Quota;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * RFC 9208 quotas of an account on PostgreSQL: reading and setting the limits, and the check every write that adds
 * messages makes under the account lock ({@link #LOCK_ACCOUNT}).
 */
final class Quotas {

    static final String LOCK_ACCOUNT = "SELECT quota_octets, quota_messages FROM account WHERE id = $1"
            + " FOR NO KEY UPDATE";

    // The counts each folder keeps (V16): one row per folder, however many messages the account holds.
    private static final String USAGE = "SELECT coalesce(sum(message_count), 0)::bigint AS messages,"
            + " coalesce(sum(size_total), 0)::bigint AS octets FROM mailbox WHERE account_id = $1";

    private static final String LIMITED = "(a.quota_octets IS NOT NULL OR a.quota_messages IS NOT NULL)";

    private final Database db;

    Quotas(Database db) {
        this.db = db;
    }

    Mono<Quota> quota(long accountId) {
        return quota("SELECT a.quota_octets, a.quota_messages, u.messages, u.octets FROM account a,"
                + " LATERAL (" + USAGE + ") AS u WHERE a.id = $1", accountId);
    }

    Mono<Quota> quotaToEnforce(long accountId) {
        // PostgreSQL runs a scalar subquery of a CASE branch only when the branch is taken.
        return quota("SELECT a.quota_octets, a.quota_messages,"
                + " CASE WHEN " + LIMITED + " THEN (SELECT coalesce(sum(message_count), 0)::bigint FROM mailbox m"
                + " WHERE m.account_id = a.id) ELSE 0 END AS messages,"
                + " CASE WHEN " + LIMITED + " THEN (SELECT coalesce(sum(size_total), 0)::bigint FROM mailbox m"
                + " WHERE m.account_id = a.id) ELSE 0 END AS octets FROM account a WHERE a.id = $1", accountId);
    }

    private Mono<Quota> quota(String sql, long accountId) {
        return db.query(sql, row -> new Quota(Database.required(row, "octets", Long.class),
                                row.get("quota_octets", Long.class),
                                Database.required(row, "messages", Long.class),
                                row.get("quota_messages", Long.class)), accountId)
                .singleOrEmpty()
                .switchIfEmpty(Mono.error(() -> new MailboxException(Reason.NONEXISTENT, "no account " + accountId)));
    }

    Mono<Void> setQuota(long accountId, @Nullable Long limitOctets, @Nullable Long limitMessages) {
        if ((limitOctets != null && limitOctets < 0) || (limitMessages != null && limitMessages < 0)) {
            return Mono.error(new IllegalArgumentException("a quota cannot be negative"));
        }
        return db.update("UPDATE account SET quota_octets = $2, quota_messages = $3 WHERE id = $1", accountId,
                        Database.nullable(limitOctets, Long.class), Database.nullable(limitMessages, Long.class))
                .flatMap(updated -> updated == 0
                        ? Mono.error(new MailboxException(Reason.NONEXISTENT, "no account " + accountId))
                        : Mono.<Void>empty());
    }

    record Limits(@Nullable Long octets, @Nullable Long messages) { }

    record Usage(long messages, long octets) { }

    static Limits limits(Readable row) {
        return new Limits(row.get("quota_octets", Long.class), row.get("quota_messages", Long.class));
    }

    static Usage usage(Readable row) {
        return new Usage(Database.required(row, "messages", Long.class), Database.required(row, "octets", Long.class));
    }

    /** RFC 9208 §4.3 OVERQUOTA when the account's usage plus {@code adding} exceeds a limit; no query without one. */
    static Mono<Void> checkQuota(Connection connection, long accountId, Limits limits, Usage adding) {
        if (limits.octets() == null && limits.messages() == null) {
            return Mono.empty();
        }
        return Database.rows(Database.statement(connection, USAGE, accountId), Quotas::usage)
                .single()
                .flatMap(used -> overQuota(limits.octets(), limits.messages(), used, adding));
    }

    static Mono<Void> overQuota(@Nullable Long limitOctets, @Nullable Long limitMessages, Usage used,
                                        Usage adding) {
        if (limitOctets != null && used.octets() + adding.octets() > limitOctets) {
            return Mono.error(new MailboxException(Reason.OVER_QUOTA, "storage quota exceeded: "
                    + used.octets() + " + " + adding.octets() + " octets > " + limitOctets));
        }
        if (limitMessages != null && used.messages() + adding.messages() > limitMessages) {
            return Mono.error(new MailboxException(Reason.OVER_QUOTA, "message quota exceeded: "
                    + used.messages() + " + " + adding.messages() + " messages > " + limitMessages));
        }
        return Mono.empty();
    }
}
