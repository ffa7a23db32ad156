package dev.hato.imap.fetch;

import dev.hato.imap.wire.FetchAttribute;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A piece of a planned FETCH response: protocol text, a byte range of the blob, octets worked out while planning, or
 * a window of a decoded part ({@link DecodedBody.Window}). {@link FetchRenderer} plans a response as a list of these
 * before it emits anything, so every size a literal announces (and every failure) is known before the first octet;
 * then each segment emits its octets in turn, the ranges streamed from the store.
 */
sealed interface FetchSegment permits FetchSegment.Octets, FetchSegment.Content, DecodedBody.Window {

    /** This segment's octets, read from {@code blob} where it is a range of it. */
    Flux<ByteBuffer> emit(FetchedBlob blob);

    /** One item of protocol text and nothing else. */
    static Mono<List<FetchSegment>> text(String text) {
        return Mono.just(List.of(new Octets(text)));
    }

    /** {@code name {n}CRLF} and the whole content. */
    static List<FetchSegment> literal(String name, Content content) {
        return partialLiteral(name, content, null);
    }

    /**
     * {@code name {n}CRLF} and the content, cut to {@code <origin.length>} (RFC 3501 §6.4.5: an origin past the
     * end gives an empty string, a length past the end gives what there is).
     */
    static List<FetchSegment> partialLiteral(String name, Content content, FetchAttribute.@Nullable Partial partial) {
        Content window = partial == null ? content : content.window(partial.offset(), partial.length());
        return List.of(new Octets(name + "{" + window.size() + "}\r\n"), (FetchSegment) window);
    }

    /** The segments with runs of protocol text joined, so that a response of short items is written in few buffers. */
    static List<FetchSegment> merged(List<FetchSegment> segments) {
        List<FetchSegment> merged = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (FetchSegment segment : segments) {
            if (segment instanceof Octets octets) {
                pending.append(octets.text());
            } else {
                if (!pending.isEmpty()) {
                    merged.add(new Octets(pending.toString()));
                    pending.setLength(0);
                }
                merged.add(segment);
            }
        }
        if (!pending.isEmpty()) {
            merged.add(new Octets(pending.toString()));
        }
        return merged;
    }

    /** Protocol text, octets held one per char. */
    record Octets(String text) implements FetchSegment {
        @Override
        public Flux<ByteBuffer> emit(FetchedBlob blob) {
            return Flux.just(ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1)));
        }
    }

    /** Octets whose size is known before they are sent. */
    sealed interface Content extends FetchSegment permits Range, Held {
        long size();

        Content window(long offset, long length);
    }

    /**
     * A byte range of the blob, streamed. A range sent in a plain literal ({@link #inLiteral}) has each NUL sent as
     * 0x80: RFC 3501 §9 lets a literal hold any octet but NUL (CHAR8), and only BINARY may answer with a literal8
     * (RFC 3516 §4.2), while a part stored as binary content (an APPEND literal8, SMTP BINARYMIME) may hold NUL.
     * The octet count stays that of the stored part, so BODYSTRUCTURE sizes and partial fetches still agree; the
     * exact octets are what BINARY[part] is for. Dovecot does the same.
     */
    final class Range implements Content {
        private final long start;
        private final long end;
        private final boolean nulAsHighOctet;

        Range(long start, long end) {
            this(start, end, false);
        }

        private Range(long start, long end, boolean nulAsHighOctet) {
            this.start = start;
            this.end = Math.max(start, end);
            this.nulAsHighOctet = nulAsHighOctet;
        }

        /** The same range for a plain literal: NUL octets are sent as 0x80. */
        static Range inLiteral(long start, long end) {
            return new Range(start, end, true);
        }

        @Override
        public long size() {
            return end - start;
        }

        @Override
        public Content window(long offset, long length) {
            // offset and length may be up to 2^63-1 (RFC 9051 number64): compared, never added past the end
            long from = offset >= end - start ? end : start + offset;
            return new Range(from, length >= end - from ? end : from + length, nulAsHighOctet);
        }

        @Override
        public Flux<ByteBuffer> emit(FetchedBlob blob) {
            if (size() == 0) {
                return Flux.empty();
            }
            Flux<ByteBuffer> octets = blob.slice(start, end);
            return nulAsHighOctet ? octets.map(Range::withoutNul) : octets;
        }

        /** The chunk itself when it holds no NUL (the usual case, one scan), else a copy with each NUL as 0x80. */
        private static ByteBuffer withoutNul(ByteBuffer chunk) {
            int from = chunk.position();
            int to = chunk.limit();
            int i = from;
            while (i < to && chunk.get(i) != 0) {
                i++;
            }
            if (i == to) {
                return chunk;
            }
            byte[] copy = new byte[to - from];
            chunk.get(from, copy);
            for (int k = i - from; k < copy.length; k++) {
                if (copy[k] == 0) {
                    copy[k] = (byte) 0x80;
                }
            }
            return ByteBuffer.wrap(copy);
        }
    }

    /** Octets computed while planning (filtered header fields). */
    record Held(byte[] octets) implements Content {
        @Override
        public long size() {
            return octets.length;
        }

        @Override
        public Content window(long offset, long length) {
            int from = (int) Math.min(octets.length, offset);
            int to = (int) Math.min(octets.length, from + Math.min(length, Integer.MAX_VALUE));
            return new Held(Arrays.copyOfRange(octets, from, to));
        }

        @Override
        public Flux<ByteBuffer> emit(FetchedBlob blob) {
            return octets.length == 0 ? Flux.empty() : Flux.just(ByteBuffer.wrap(octets));
        }
    }
}
