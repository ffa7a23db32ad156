package dev.hato.store.pg;

import dev.hato.store.mail.Blobs;
import dev.hato.store.mail.MessageFacts;
import io.r2dbc.postgresql.api.PostgresqlException;
import io.r2dbc.spi.Connection;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Blobs and their facts: {@code blob}, {@code blob_chunk} and {@code blob_facts}, read by blob id. */
final class PgBlobs implements Blobs {

    private final Database db;

    PgBlobs(Database db) {
        this.db = db;
    }

    @Override
    public Flux<ByteBuffer> content(long blobId) {
        // One query per chunk, each on a connection borrowed only for that query: a slow reader (an IMAP client
        // on a bad line) holds neither a connection nor more than the chunk it is being sent. The first query
        // brings the first chunk along, so a message of one chunk (most of them) costs one query.
        return db.query("SELECT (SELECT count(*) FROM blob_chunk c WHERE c.blob_id = b.id) AS chunks,"
                                + " (SELECT data FROM blob_chunk c WHERE c.blob_id = b.id AND c.seq = 0) AS first"
                                + " FROM blob b WHERE b.id = $1",
                        row -> new FirstChunk(Database.required(row, "chunks", Long.class),
                                row.get("first", ByteBuffer.class)), blobId)
                .singleOrEmpty()
                .switchIfEmpty(Mono.error(() -> new NoSuchElementException("no blob " + blobId)))
                .flatMapMany(first -> first.data() == null ? Flux.empty()
                        : Flux.just(first.data()).concatWith(Flux.range(1, Math.toIntExact(first.chunks() - 1))
                                .concatMap(seq -> chunk(blobId, seq), 0)));
    }

    private Mono<ByteBuffer> chunk(long blobId, int seq) {
        return db.query("SELECT data FROM blob_chunk WHERE blob_id = $1 AND seq = $2",
                row -> Database.required(row, "data", ByteBuffer.class), blobId, seq).single();
    }

    @Override
    public Mono<Map<Long, ByteBuffer>> heads(Map<Long, Integer> lengths) {
        Objects.requireNonNull(lengths, "lengths");
        if (lengths.isEmpty()) {
            return Mono.just(Map.of());
        }
        Long[] blobs = new Long[lengths.size()];
        Integer[] wanted = new Integer[lengths.size()];
        int i = 0;
        for (Map.Entry<Long, Integer> entry : lengths.entrySet()) {
            if (entry.getValue() <= 0) {
                return Mono.error(new IllegalArgumentException("a head length must be positive: " + entry));
            }
            blobs[i] = entry.getKey();
            wanted[i++] = entry.getValue();
        }
        // One query for all: substring of the first chunk when it is long enough (substring(bytea) counts octets).
        return db.query("SELECT w.blob_id, substring(c.data FROM 1 FOR w.length) AS head"
                                + " FROM unnest($1::bigint[], $2::int[]) AS w(blob_id, length)"
                                + " JOIN blob_chunk c ON c.blob_id = w.blob_id AND c.seq = 0"
                                + " WHERE octet_length(c.data) >= w.length",
                        row -> Map.entry(Database.required(row, "blob_id", Long.class),
                                Database.required(row, "head", ByteBuffer.class)), blobs, wanted)
                .collect(HashMap<Long, ByteBuffer>::new, (map, entry) -> map.put(entry.getKey(), entry.getValue()))
                .map(Map::copyOf);
    }

    private record FirstChunk(long chunks, @Nullable ByteBuffer data) { }

    @Override
    public Mono<byte[]> structure(long blobId) {
        return structures(List.of(blobId)).flatMap(found -> Mono.justOrEmpty(found.get(blobId)));
    }

    @Override
    public Mono<Map<Long, byte[]>> structures(Collection<Long> blobIds) {
        Objects.requireNonNull(blobIds, "blobIds");
        if (blobIds.isEmpty()) {
            return Mono.just(Map.of());
        }
        return db.query("SELECT blob_id, structure FROM blob_facts WHERE blob_id = ANY($1)", row -> {
                    ByteBuffer buffer = Database.required(row, "structure", ByteBuffer.class);
                    byte[] bytes = new byte[buffer.remaining()];
                    buffer.get(bytes);
                    return Map.entry(Database.required(row, "blob_id", Long.class), bytes);
                }, (Object) blobIds.toArray(Long[]::new))
                .collect(HashMap<Long, byte[]>::new, (map, entry) -> map.put(entry.getKey(), entry.getValue()))
                .map(Map::copyOf);
    }

    @Override
    public Mono<Map<Long, byte[]>> digests(Collection<Long> blobIds) {
        Objects.requireNonNull(blobIds, "blobIds");
        if (blobIds.isEmpty()) {
            return Mono.just(Map.of());
        }
        // The blob's key (blob_sha256_key): no octets are read.
        return db.query("SELECT id, sha256 FROM blob WHERE id = ANY($1)", row -> {
                    ByteBuffer buffer = Database.required(row, "sha256", ByteBuffer.class);
                    byte[] bytes = new byte[buffer.remaining()];
                    buffer.get(bytes);
                    return Map.entry(Database.required(row, "id", Long.class), bytes);
                }, (Object) blobIds.toArray(Long[]::new))
                .collect(HashMap<Long, byte[]>::new, (map, entry) -> map.put(entry.getKey(), entry.getValue()))
                .map(Map::copyOf);
    }

    @Override
    public Mono<Map<Long, String>> previews(Collection<Long> blobIds) {
        Objects.requireNonNull(blobIds, "blobIds");
        if (blobIds.isEmpty()) {
            return Mono.just(Map.of());
        }
        return db.query("SELECT blob_id, preview FROM blob_facts WHERE blob_id = ANY($1) AND preview IS NOT NULL",
                        row -> Map.entry(Database.required(row, "blob_id", Long.class),
                                Database.required(row, "preview", String.class)),
                        (Object) blobIds.toArray(Long[]::new))
                .collect(HashMap<Long, String>::new, (map, entry) -> map.put(entry.getKey(), entry.getValue()))
                .map(Map::copyOf);
    }

    @Override
    public Mono<Void> storePreview(long blobId, String preview) {
        Objects.requireNonNull(preview, "preview");
        return db.update("UPDATE blob_facts SET preview = $2 WHERE blob_id = $1 AND preview IS NULL", blobId,
                preview.replace('\0', '\uFFFD')).then();
    }

    @Override
    public Mono<Void> storeFacts(long blobId, MessageFacts facts) {
        Objects.requireNonNull(facts, "facts");
        return Mono.usingWhen(db.connections().create(),
                        connection -> BlobBatch.insertFacts(connection, List.of(blobId), List.of(facts)),
                        Connection::close)
                .onErrorMap(error -> error instanceof PostgresqlException postgres
                                && "23503".equals(postgres.getErrorDetails().getCode()),
                        error -> new NoSuchElementException("no blob " + blobId));
    }
}
