package dev.hato.store.pg;

import dev.hato.store.mail.MessageFacts;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.r2dbc.spi.Connection;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Writes the {@code blob_facts} rows of blobs new in a delivery batch with {@code COPY ... FROM STDIN (FORMAT
 * binary)}: texts as their UTF-8 octets, keys as binary arrays. Through statement parameters the texts travelled
 * as elements of {@code text[]} literals, which r2dbc-postgresql escapes character by character and PostgreSQL
 * parses back the same way: a tenth of the JVM's samples for 10 KiB deliveries (docs/benchmarks.md). Only for blobs
 * this transaction inserted, so no row can be there already (the statement in {@link BlobBatch#insertFacts} keeps
 * {@code ON CONFLICT} for the other case).
 */
final class FactsCopy {

    private static final String COPY = "COPY blob_facts (blob_id, structure, header_text, body_text, base_subject,"
            + " sort_from, sort_to, sort_cc, sent_date, message_id, refs, display_from, display_to, preview,"
            + " header_grams, body_grams) FROM STDIN (FORMAT binary)";

    private static final int TEXT_OID = 25;
    private static final int INT4_OID = 23;
    /** PostgreSQL's timestamps count microseconds from 2000-01-01T00:00:00Z. */
    private static final long POSTGRES_EPOCH_SECONDS = 946_684_800L;

    private FactsCopy() {
    }

    /** One row per blob, in the order given; nothing is sent for none. */
    static Mono<Void> copy(Connection connection, List<Long> blobIds, List<MessageFacts> facts) {
        if (facts.isEmpty()) {
            return Mono.empty();
        }
        Flux<ByteBuf> rows = Flux.range(0, facts.size()).map(i -> encode(blobIds.get(i), facts.get(i)));
        return ChunkCopy.postgres(connection).copyIn(COPY, Flux.concat(Mono.fromSupplier(ChunkCopy::header), rows,
                Mono.fromSupplier(ChunkCopy::trailer))).then();
    }

    private static ByteBuf encode(long blobId, MessageFacts f) {
        MessageFacts.SortFields sort = f.sort();
        String header = BlobBatch.text(f.headerText());
        String body = BlobBatch.text(f.bodyText());
        ByteBuf row = Unpooled.buffer(256 + header.length() + body.length() * 3 / 2);
        row.writeShort(16);
        row.writeInt(8).writeLong(blobId);
        row.writeInt(f.structure().length).writeBytes(f.structure());
        text(row, header);
        text(row, body);
        text(row, BlobBatch.text(sort.baseSubject()));
        text(row, BlobBatch.text(sort.from()));
        text(row, BlobBatch.text(sort.to()));
        text(row, BlobBatch.text(sort.cc()));
        timestamp(row, sort.sentDate());
        text(row, sort.messageId() == null ? null : BlobBatch.text(sort.messageId()));
        textArray(row, BlobBatch.references(sort.references()));
        text(row, sort.displayFrom() == null ? null : BlobBatch.text(sort.displayFrom()));
        text(row, sort.displayTo() == null ? null : BlobBatch.text(sort.displayTo()));
        text(row, f.preview() == null ? null : BlobBatch.text(f.preview()));
        intArray(row, SearchGrams.of(header));
        intArray(row, SearchGrams.of(body));
        return row;
    }

    private static void text(ByteBuf row, @Nullable String value) {
        if (value == null) {
            row.writeInt(-1);
            return;
        }
        int at = row.writerIndex();
        row.writeInt(0);
        int length = row.writeCharSequence(value, StandardCharsets.UTF_8);
        row.setInt(at, length);
    }

    private static void timestamp(ByteBuf row, @Nullable Instant instant) {
        if (instant == null) {
            row.writeInt(-1);
            return;
        }
        long micros = Math.addExact(Math.multiplyExact(instant.getEpochSecond() - POSTGRES_EPOCH_SECONDS,
                1_000_000L), instant.getNano() / 1_000);
        row.writeInt(8).writeLong(micros);
    }

    /** A one-dimensional array (none for no elements) in PostgreSQL's binary array format. */
    private static int arrayHeader(ByteBuf row, int elements, int elementType) {
        int at = row.writerIndex();
        row.writeInt(0);
        row.writeInt(elements == 0 ? 0 : 1).writeInt(0).writeInt(elementType);
        if (elements > 0) {
            row.writeInt(elements).writeInt(1);
        }
        return at;
    }

    private static void textArray(ByteBuf row, List<String> values) {
        int at = arrayHeader(row, values.size(), TEXT_OID);
        for (String value : values) {
            text(row, value);
        }
        row.setInt(at, row.writerIndex() - at - 4);
    }

    private static void intArray(ByteBuf row, int[] values) {
        int at = arrayHeader(row, values.length, INT4_OID);
        for (int value : values) {
            row.writeInt(4).writeInt(value);
        }
        row.setInt(at, row.writerIndex() - at - 4);
    }
}
