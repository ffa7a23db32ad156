package dev.hato.store.pg;

import dev.hato.store.admin.Administrators;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@link Administrators} over table {@code admin_grant} (V26). */
final class PgAdministrators implements Administrators {

    private final Database db;

    PgAdministrators(Database db) {
        this.db = db;
    }

    @Override
    public Mono<Boolean> grant(long accountId, @Nullable Long domainId) {
        return db.update("INSERT INTO admin_grant (account_id, domain_id) VALUES ($1, $2)"
                        + " ON CONFLICT ON CONSTRAINT admin_grant_once DO NOTHING", accountId,
                Database.nullable(domainId, Long.class)).map(rows -> rows > 0);
    }

    @Override
    public Mono<Boolean> revoke(long accountId, @Nullable Long domainId) {
        return db.update("DELETE FROM admin_grant WHERE account_id = $1 AND domain_id IS NOT DISTINCT FROM $2",
                accountId, Database.nullable(domainId, Long.class)).map(rows -> rows > 0);
    }

    @Override
    public Flux<Grant> grants() {
        return db.query("SELECT a.address, d.name AS domain FROM admin_grant g JOIN account a ON a.id = g.account_id"
                        + " LEFT JOIN domain d ON d.id = g.domain_id ORDER BY d.name NULLS FIRST, a.address",
                row -> new Grant(Database.required(row, "address", String.class), row.get("domain", String.class)));
    }

    @Override
    public Mono<List<String>> domains(long accountId) {
        return db.query("SELECT d.name FROM domain d WHERE EXISTS (SELECT 1 FROM admin_grant g WHERE g.account_id = $1"
                        + " AND (g.domain_id IS NULL OR g.domain_id = d.id)) ORDER BY d.name",
                row -> Database.required(row, "name", String.class), accountId).collectList();
    }
}
