package dev.hato.store.pg;

import dev.hato.store.*;
import java.nio.file.Path;
import java.util.*;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.*;

class ScratchSqlTest {
    @TempDir Path data;
    static void time(String name, Supplier<Object> s) {
        for (int i = 0; i < 5; i++) s.get();
        long t0 = System.nanoTime();
        for (int i = 0; i < 10; i++) s.get();
        System.out.printf("%s: %.1fms%n", name, (System.nanoTime() - t0) / 1e7);
    }
    @Test
    void measure() throws Exception {
        try (PgStore store = PgStore.open(StoreSettings.defaults(data))) {
            Database db = new Database(store.connections());
            HexFormat hex = HexFormat.of();
            Random r = new Random();
            Supplier<String[]> randomHex = () -> { String[] a = new String[64]; for (int i = 0; i < 64; i++) { byte[] b = new byte[10000]; r.nextBytes(b); a[i] = hex.formatHex(b);} return a; };
            Supplier<String[]> textHex = () -> { String[] a = new String[64]; for (int i = 0; i < 64; i++) { StringBuilder sb = new StringBuilder(); while (sb.length() < 10000) sb.append("Lorem ipsum dolor sit amet " + r.nextInt(1000) + " consectetur\r\n"); a[i] = hex.formatHex(sb.substring(0, 10000).getBytes());} return a; };
            Supplier<String[]> shas = () -> { String[] a = new String[64]; for (int i = 0; i < 64; i++) { byte[] b = new byte[32]; r.nextBytes(b); a[i] = hex.formatHex(b);} return a; };
            String[] fixed = randomHex.get();
            if (false) time("select length of 64x20k text[]", () -> db.query("SELECT sum(length(x)) FROM unnest($1::text[]) x", row -> row.get(0), (Object) fixed).blockLast());
            String big = String.join("", fixed);
            db.update("CREATE TABLE scratch (id bigserial primary key, data bytea)").block();
            time("insert via one hex text + substring", () -> db.update("WITH a AS (SELECT decode($1, 'hex') AS b) INSERT INTO scratch (data) SELECT substring(a.b FROM (i - 1) * 10000 + 1 FOR 10000) FROM a, generate_series(1, 64) i", big).block());
            db.update("CREATE TABLE scratch2 (blob_id bigint, seq int, data bytea)").block();
            byte[][] rows = new byte[64][10000]; for (byte[] row : rows) r.nextBytes(row);
            time("copy 64 rows", () -> Mono.usingWhen(store.connections().create(), c -> {
                var pc = (io.r2dbc.postgresql.api.PostgresqlConnection) ((io.r2dbc.spi.Wrapped<?>) c).unwrap();
                Flux<io.netty.buffer.ByteBuf> data = Flux.concat(
                    Mono.fromSupplier(() -> { var b = io.netty.buffer.Unpooled.buffer(); b.writeBytes("PGCOPY\n\377\r\n\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)); b.writeInt(0); b.writeInt(0); return b; }),
                    Flux.range(0, 64).map(i -> { var b = io.netty.buffer.Unpooled.buffer(); b.writeShort(3); b.writeInt(8); b.writeLong(i); b.writeInt(4); b.writeInt(0); b.writeInt(10000); b.writeBytes(rows[i]); return b; }),
                    Mono.fromSupplier(() -> { var b = io.netty.buffer.Unpooled.buffer(); b.writeShort(-1); return b; }));
                return pc.copyIn("COPY scratch2 (blob_id, seq, data) FROM STDIN (FORMAT binary)", data);
            }, c -> c.close()).block());
        }
    }
}
