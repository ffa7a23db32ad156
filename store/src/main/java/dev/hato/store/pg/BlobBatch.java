package dev.hato.store.pg;

import dev.hato.store.mail.MessageContent;
import dev.hato.store.mail.MessageFacts;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Statement;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The distinct blobs of one write (a delivery batch, an IMAP APPEND) and how they get stored: the blob rows in one
 * statement ({@code ON CONFLICT DO NOTHING}), the chunks of the new small ones in one COPY, a large one chunk by
 * chunk, and the {@link MessageFacts} of the new ones in one statement. Confined to the reactive chain that writes
 * it.
 *
 * <p>Blob rows are locked in SHA-256 order (one sorted statement), before any mailbox row: the global lock order
 * that keeps concurrent writers from waiting for each other in a cycle.
 */
final class BlobBatch {

    private static final HexFormat HEX = HexFormat.of();

    // Hashes travel as hex text: r2dbc-postgresql 1.1.1 mangles bytea arrays.
    private static final String INSERT_BLOBS = "INSERT INTO blob (sha256, size)"
            + " SELECT decode(sha256, 'hex'), size FROM unnest($1::text[], $2::bigint[]) AS b (sha256, size)"
            + " ORDER BY 1 ON CONFLICT (sha256) DO NOTHING RETURNING id, sha256";

    // After the insert: a conflicting transaction has committed by then, and a new statement (READ COMMITTED)
    // sees its row.
    private static final String EXISTING_BLOBS = "SELECT id, sha256 FROM blob"
            + " WHERE sha256 IN (SELECT decode(h, 'hex') FROM unnest($1::text[]) AS h)";

    // One row per blob; the structure travels as hex (bytea arrays, see above), the references as one text of
    // newline-separated message IDs and the search keys (SearchGrams) as array literals, because unnest cannot take
    // ragged arrays.
    private static final String INSERT_FACTS = "INSERT INTO blob_facts (blob_id, structure, header_text, body_text,"
            + " base_subject, sort_from, sort_to, sort_cc, sent_date, message_id, refs, display_from, display_to,"
            + " preview, header_grams, body_grams)"
            + " SELECT blob_id, decode(structure, 'hex'), header_text, body_text, base_subject, sort_from, sort_to,"
            + "  sort_cc, sent_date, message_id,"
            + "  CASE WHEN refs = '' THEN '{}'::text[] ELSE string_to_array(refs, E'\\n') END,"
            + "  display_from, display_to, preview, header_grams::int4[], body_grams::int4[]"
            + " FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],"
            + "  $8::text[], $9::timestamptz[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],"
            + "  $15::text[], $16::text[])"
            + "  AS f (blob_id, structure, header_text, body_text, base_subject, sort_from, sort_to, sort_cc,"
            + "        sent_date, message_id, refs, display_from, display_to, preview, header_grams, body_grams)"
            + " ON CONFLICT (blob_id) DO NOTHING";

    /** The distinct blobs still in the batch, by hex SHA-256. */
    private final TreeMap<String, PendingBlob> blobs = new TreeMap<>();
    /** The most octets of small blobs held in memory at once; the small blobs past it stream as large ones do. */
    private final long memoryBudget;
    private long inMemory;

    /** A batch whose small blobs are all read into memory (its caller bounds their number). */
    BlobBatch() {
        this(Long.MAX_VALUE);
    }

    /**
     * A batch that holds at most {@code memoryBudget} octets of small blobs in memory: the first small blobs up to it
     * are read before the transaction and copied together, the rest are copied chunk by chunk from their content in
     * the transaction, as large ones are (one chunk in memory at a time, a round trip each).
     */
    BlobBatch(long memoryBudget) {
        this.memoryBudget = memoryBudget;
    }

    /**
     * Adds the content of write {@code owner} (an index the caller chooses); writes of the same bytes share one
     * blob. The first facts given for a blob are the ones stored with it.
     */
    void add(MessageContent content, @Nullable MessageFacts facts, int owner) {
        PendingBlob blob = blobs.computeIfAbsent(HEX.formatHex(content.sha256()), sha256 -> {
            boolean small = content.size() <= Chunks.SIZE && content.size() <= memoryBudget - inMemory;
            if (small) {
                inMemory += content.size();
            }
            return new PendingBlob(content, small);
        });
        blob.owners.add(owner);
        if (blob.facts == null) {
            blob.facts = facts;
        }
    }

    boolean isEmpty() {
        return blobs.isEmpty();
    }

    /**
     * Reads the small blobs (one chunk each) into memory, before the transaction, so that reading a sender's spool
     * holds no locks, and content that cannot be read or does not match its hash fails alone: such a blob leaves
     * the batch and {@code rejected} hears of the owners that carried it.
     */
    Mono<Void> readSmall(BiConsumer<List<Integer>, Throwable> rejected) {
        return Flux.fromIterable(List.copyOf(blobs.values()))
                .filter(PendingBlob::small)
                .concatMap(blob -> readWhole(blob.content)
                        .doOnNext(bytes -> blob.bytes = bytes)
                        .onErrorResume(error -> {
                            blobs.values().remove(blob);
                            rejected.accept(List.copyOf(blob.owners), error);
                            return Mono.empty();
                        }))
                .then();
    }

    private static Mono<ByteBuffer> readWhole(MessageContent content) {
        return Mono.defer(() -> {
            ByteBuffer whole = ByteBuffer.allocate(Math.toIntExact(content.size()));
            var verifier = new Chunks.Verifier(content.sha256(), content.size());
            return content.chunks()
                    .doOnNext(chunk -> {
                        verifier.update(chunk); // throws before an oversized chunk could overflow
                        whole.put(chunk.duplicate());
                    })
                    .then(Mono.fromSupplier(() -> {
                        verifier.verify();
                        return whole.flip();
                    }));
        });
    }

    /**
     * Inside the caller's transaction: the blob rows, the chunks of the new ones, and the facts of the new ones
     * that came with facts. Call {@link #readSmall} first.
     */
    Mono<Void> store(Connection connection) {
        List<PendingBlob> all = List.copyOf(blobs.values());
        if (all.isEmpty()) {
            return Mono.empty();
        }
        return assignIds(Database.statement(connection, INSERT_BLOBS,
                        all.stream().map(blob -> HEX.formatHex(blob.content.sha256())).toArray(String[]::new),
                        all.stream().map(blob -> blob.content.size()).toArray(Long[]::new)), true)
                .then(Mono.defer(() -> {
                    String[] existing = all.stream().filter(blob -> blob.id < 0)
                            .map(blob -> HEX.formatHex(blob.content.sha256())).toArray(String[]::new);
                    return existing.length == 0 ? Mono.<Void>empty()
                            : assignIds(Database.statement(connection, EXISTING_BLOBS, (Object) existing), false);
                }))
                .then(Mono.defer(() -> {
                    // All chunks of the new small blobs in one COPY; their bytes are already in memory.
                    List<ChunkCopy.Row> rows = new ArrayList<>();
                    for (PendingBlob blob : all) {
                        ByteBuffer bytes = blob.small() ? blob.takeBytes() : null;
                        if (blob.fresh && bytes != null && bytes.hasRemaining()) {
                            rows.add(new ChunkCopy.Row(blob.id(), 0, bytes));
                        }
                    }
                    return ChunkCopy.copy(connection, rows);
                }))
                .thenMany(Flux.fromIterable(all).filter(blob -> blob.fresh && !blob.small()))
                .concatMap(blob -> insertChunks(connection, blob.id(), blob.content))
                .then(Mono.defer(() -> {
                    List<PendingBlob> withFacts = all.stream().filter(blob -> blob.fresh && blob.facts != null)
                            .toList();
                    return FactsCopy.copy(connection, withFacts.stream().map(PendingBlob::id).toList(),
                            withFacts.stream().map(blob -> blob.facts).toList());
                }));
    }

    /** The id the blob of {@code content} got in {@link #store}. */
    long id(MessageContent content) {
        PendingBlob blob = blobs.get(HEX.formatHex(content.sha256()));
        if (blob == null) {
            throw new IllegalStateException("the blob is not part of this batch");
        }
        return blob.id();
    }

    /** Gives each blob whose SHA-256 the statement returns the id returned with it. */
    private Mono<Void> assignIds(Statement statement, boolean fresh) {
        return Database.rows(statement, row -> {
            ByteBuffer sha256 = Database.required(row, "sha256", ByteBuffer.class);
            byte[] bytes = new byte[sha256.remaining()];
            sha256.get(bytes);
            PendingBlob blob = blobs.get(HEX.formatHex(bytes));
            if (blob == null) {
                throw new IllegalStateException("the database returned a blob this batch did not ask for");
            }
            blob.id = Database.required(row, "id", Long.class);
            blob.fresh = fresh;
            return blob;
        }).then();
    }

    // A large message chunk by chunk, one COPY each: one chunk in memory, whatever its size. The bytes are
    // checked against the declared hash as they pass; a mismatch fails the transaction before anything commits.
    private static Mono<Void> insertChunks(Connection connection, long blobId, MessageContent content) {
        return Mono.defer(() -> {
            var verifier = new Chunks.Verifier(content.sha256(), content.size());
            var seq = new int[1];
            return Chunks.rechunk(content.chunks(), Chunks.SIZE)
                    .concatMap(chunk -> {
                        verifier.update(chunk);
                        return ChunkCopy.copy(connection, List.of(new ChunkCopy.Row(blobId, seq[0]++, chunk)));
                    }, 0)
                    .then(Mono.fromRunnable(verifier::verify));
        });
    }

    /**
     * Stores facts for blobs that may have facts already (which they keep), one statement whatever their number;
     * the blobs new in a batch go through {@link FactsCopy}.
     * Text is stored as PostgreSQL text, which cannot hold U+0000: such characters become U+FFFD.
     */
    static Mono<Void> insertFacts(Connection connection, List<Long> blobIds, List<MessageFacts> facts) {
        int n = facts.size();
        if (n == 0) {
            return Mono.empty();
        }
        String[] structures = new String[n];
        String[] headers = new String[n];
        String[] bodies = new String[n];
        String[] subjects = new String[n];
        String[] froms = new String[n];
        String[] tos = new String[n];
        String[] ccs = new String[n];
        Instant[] dates = new Instant[n];
        String[] messageIds = new String[n];
        String[] refs = new String[n];
        String[] displayFroms = new String[n];
        String[] displayTos = new String[n];
        String[] previews = new String[n];
        String[] headerGrams = new String[n];
        String[] bodyGrams = new String[n];
        for (int i = 0; i < n; i++) {
            MessageFacts f = facts.get(i);
            MessageFacts.SortFields sort = f.sort();
            structures[i] = HEX.formatHex(f.structure());
            headers[i] = text(f.headerText());
            bodies[i] = text(f.bodyText());
            subjects[i] = text(sort.baseSubject());
            froms[i] = text(sort.from());
            tos[i] = text(sort.to());
            ccs[i] = text(sort.cc());
            dates[i] = sort.sentDate();
            messageIds[i] = sort.messageId() == null ? null : text(sort.messageId());
            refs[i] = String.join("\n", references(sort.references()));
            displayFroms[i] = sort.displayFrom() == null ? null : text(sort.displayFrom());
            displayTos[i] = sort.displayTo() == null ? null : text(sort.displayTo());
            previews[i] = f.preview() == null ? null : text(f.preview());
            headerGrams[i] = SearchGrams.literal(SearchGrams.of(headers[i]));
            bodyGrams[i] = SearchGrams.literal(SearchGrams.of(bodies[i]));
        }
        return Database.rowsUpdated(Database.statement(connection, INSERT_FACTS, blobIds.toArray(Long[]::new),
                structures, headers, bodies, subjects, froms, tos, ccs, dates, messageIds, refs, displayFroms,
                displayTos, previews, headerGrams, bodyGrams)).then();
    }

    /**
     * The references as stored: a message ID holds no white space (RFC 5322 §3.6.4), so a line break cannot be part
     * of one; an empty reference says nothing.
     */
    static List<String> references(List<String> references) {
        return references.stream()
                .map(ref -> text(ref).replace('\r', ' ').replace('\n', ' ').strip())
                .filter(ref -> !ref.isEmpty())
                .toList();
    }

    /** {@code value} as PostgreSQL text can hold it (no U+0000). */
    static String text(String value) {
        return value.indexOf('\0') < 0 ? value : value.replace('\0', '\uFFFD');
    }

    /** One distinct blob of a batch and the writes (by owner index) that carry it. */
    private static final class PendingBlob {
        private final MessageContent content;
        private final List<Integer> owners = new ArrayList<>();
        private @Nullable MessageFacts facts;
        private @Nullable ByteBuffer bytes;
        private long id = -1;
        /** Inserted by this batch, so its chunks (and facts) are still to be written. */
        private boolean fresh;

        /** Fits one chunk and the batch's memory budget: read before the transaction, copied with the others. */
        private final boolean small;

        PendingBlob(MessageContent content, boolean small) {
            this.content = content;
            this.small = small;
        }

        boolean small() {
            return small;
        }

        /** The bytes of a small blob, dropped here so that they are not kept for the rest of the batch. */
        @Nullable ByteBuffer takeBytes() {
            ByteBuffer taken = bytes;
            bytes = null;
            return taken;
        }

        long id() {
            if (id < 0) {
                throw new IllegalStateException("blob not stored yet");
            }
            return id;
        }
    }
}
