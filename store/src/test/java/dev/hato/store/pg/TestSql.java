package dev.hato.store.pg;

import io.r2dbc.spi.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads rows no store interface exposes (change log, chunks), for assertions. */
final class TestSql {

    private TestSql() {
    }

    /** Every row as a list of its column values. */
    static List<List<Object>> rows(PgStore store, String sql, Object... parameters) {
        return new Database(store.connections()).query(sql, readable -> {
                    Row row = (Row) readable;
                    List<Object> values = new ArrayList<>();
                    for (int i = 0; i < row.getMetadata().getColumnMetadatas().size(); i++) {
                        values.add(row.get(i));
                    }
                    return values;
                }, parameters)
                .collectList()
                .block(Duration.ofSeconds(30));
    }

    static long count(PgStore store, String sql, Object... parameters) {
        return ((Number) rows(store, sql, parameters).get(0).get(0)).longValue();
    }
}
