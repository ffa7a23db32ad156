package dev.hato.web.mail;

import dev.hato.message.MessageLimits;
import dev.hato.message.MessageParser;
import dev.hato.message.MimeCharsets;
import dev.hato.message.MimeEntity;
import dev.hato.message.TransferDecoder;
import dev.hato.store.mail.Blobs;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Reads a stored message for the webmail: its MIME structure (one streamed pass through the message model's parser,
 * memory bounded by the structure), and the decoded content of one part (the part's octets streamed out of the blob
 * and through its transfer decoding, never the whole message in memory).
 */
public final class MessageReading {

    /** The most text of one part shown on a page; longer text is cut (the part can still be downloaded). */
    static final int MAX_SHOWN_OCTETS = 2 * 1024 * 1024;

    private final Blobs blobs;

    public MessageReading(Blobs blobs) {
        this.blobs = blobs;
    }

    /**
     * Loads, on the calling thread, what reading a message first loads from the class path (jsoup's entity tables,
     * the JDK's Japanese charsets): that blocks, and must not happen on an event loop.
     */
    public static void warmUp() {
        SafeHtml.clean("<p title=\"&amp;\">&nbsp;&hellip;</p>", java.util.Map.of(), false);
        for (String name : new String[] {"ISO-2022-JP", "Shift_JIS", "windows-31j", "EUC-JP", "windows-1252"}) {
            java.nio.charset.Charset.forName(name).newDecoder();
        }
    }

    /** The message's MIME tree, parsed within the default limits (a message beyond them is one opaque body). */
    public Mono<MimeEntity> structure(long blobId) {
        return Mono.defer(() -> {
            MessageParser parser = MessageParser.structure(MessageLimits.DEFAULTS);
            // Parsed on the parallel (CPU) workers, not on the store driver's or the HTTP server's event loop: a
            // message may be tens of megabytes.
            return blobs.content(blobId)
                    .publishOn(Schedulers.parallel())
                    .doOnNext(chunk -> parser.feed(chunk.duplicate()))
                    .then(Mono.fromCallable(() -> parser.finish().root()));
        });
    }

    /** The octets {@code [from, to)} of the message, streamed. */
    Flux<ByteBuffer> range(long blobId, long from, long to) {
        return Flux.defer(() -> {
            long[] position = {0};
            return blobs.content(blobId).takeWhile(chunk -> position[0] < to).<ByteBuffer>handle((chunk, sink) -> {
                long start = position[0];
                long end = start + chunk.remaining();
                position[0] = end;
                long sliceFrom = Math.max(start, from);
                long sliceTo = Math.min(end, to);
                if (sliceFrom < sliceTo) {
                    ByteBuffer slice = chunk.duplicate();
                    slice.position(chunk.position() + (int) (sliceFrom - start));
                    slice.limit(chunk.position() + (int) (sliceTo - start));
                    sink.next(slice);
                }
            });
        });
    }

    /** The body of a leaf part, its transfer encoding undone, streamed in chunks. */
    Flux<byte[]> decoded(long blobId, MimeEntity part) {
        return Flux.defer(() -> {
            TransferDecoder decoder = TransferDecoder.forPart(part);
            return range(blobId, part.bodyStart(), part.end()).map(chunk -> {
                byte[] in = Octets.of(chunk);
                ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
                decoder.decode(in, 0, in.length, out);
                return out.toByteArray();
            }).concatWith(Mono.fromSupplier(() -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                decoder.finish(out);
                return out.toByteArray();
            })).filter(octets -> octets.length > 0);
        });
    }

    /**
     * The text of a leaf part, decoded with its declared charset (or the one its octets show, as
     * {@link MimeCharsets#sniff}), at most {@link #MAX_SHOWN_OCTETS} octets of it.
     */
    Mono<Text> text(long blobId, MimeEntity part) {
        return decoded(blobId, part).collect(ByteArrayOutputStream::new, (out, octets) -> {
            int room = MAX_SHOWN_OCTETS + 1 - out.size();
            if (room > 0) {
                out.write(octets, 0, Math.min(room, octets.length));
            }
        }).map(out -> {
            byte[] octets = out.toByteArray();
            boolean cut = octets.length > MAX_SHOWN_OCTETS;
            int length = Math.min(octets.length, MAX_SHOWN_OCTETS);
            Charset charset = MimeCharsets.declared(part.parameter("charset"));
            if (charset == null) {
                charset = MimeCharsets.sniff(octets, 0, length, !cut);
            }
            return new Text(new String(octets, 0, length, charset), cut);
        });
    }

    /** The text of a leaf part as the reader shows it (at most {@link #MAX_SHOWN_OCTETS} of it). */
    public Mono<String> shownText(long blobId, MimeEntity part) {
        return text(blobId, part).map(Text::text);
    }

    /**
     * A field of the message's own header that the parser does not keep (such as References), unfolded and raw,
     * read from the header section (at most its first 64 KiB); empty when absent.
     */
    public Mono<String> headerField(long blobId, MimeEntity root, String name) {
        long end = Math.min(root.bodyStart(), 64 * 1024);
        return range(blobId, 0, end).collect(java.io.ByteArrayOutputStream::new,
                (out, chunk) -> out.writeBytes(Octets.of(chunk))).map(out -> {
            String value = Headline.field(out.toString(java.nio.charset.StandardCharsets.ISO_8859_1), name);
            return value == null ? "" : value;
        });
    }

    /** The whole message as it is stored, streamed. */
    public Flux<ByteBuffer> original(long blobId) {
        return blobs.content(blobId).map(ByteBuffer::duplicate);
    }

    /** Text of a part, and whether it was cut at {@link #MAX_SHOWN_OCTETS}. */
    record Text(String text, boolean cut) { }
}
