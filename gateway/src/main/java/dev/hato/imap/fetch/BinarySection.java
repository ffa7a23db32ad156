package dev.hato.imap.fetch;

import dev.hato.imap.fetch.FetchSegment.Range;
import dev.hato.imap.wire.FetchAttribute;
import dev.hato.message.HeaderFields;
import dev.hato.message.MessagePart;
import dev.hato.message.TransferDecoder;
import dev.hato.message.UnknownTransferEncodingException;
import dev.hato.store.mail.MessageMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Plans {@code BINARY[part]<partial>} and {@code BINARY.SIZE[part]} (RFC 3516 §4.2): a part's content with its
 * Content-Transfer-Encoding undone. The part's header is read (at most {@link FetchRenderer#MAX_HEADER_OCTETS}) for
 * its encoding, and an encoding no decoder knows fails the item with {@link UnknownTransferEncodingException} while
 * planning, before any octet of the response, so the session can answer {@code NO [UNKNOWN-CTE]}. The decoded size
 * comes from a first decoding pass ({@link DecodedBody}).
 */
final class BinarySection {

    private BinarySection() {
    }

    /** RFC 3516 §4.2 BINARY[part]&lt;partial&gt;. {@code structure} may be null only for {@code BINARY[]}. */
    static Mono<List<FetchSegment>> plan(FetchAttribute.Binary binary, MessageMeta meta, FetchedBlob blob,
                                         @Nullable MessageStructure structure) {
        FetchAttribute.Partial partial = binary.partial();
        String name = "BINARY[" + SectionSpec.numbers(binary.part()) + "]"
                + (partial == null ? "" : "<" + partial.offset() + ">") + " ";
        // BINARY[] is the whole message as stored (no encoding of its own to undo), measured like a part because a
        // message stored from binary content (an APPEND literal8, SMTP BINARYMIME) may hold NUL
        Mono<Optional<DecodedBody>> content = binary.part().isEmpty()
                ? Mono.just(Optional.of(new DecodedBody(new Range(0, meta.size()),
                        () -> TransferDecoder.forMechanism(null))))
                : decodedPart(binary.part(), blob, StructureLoader.required(structure));
        return content.flatMap(decoded -> {
            if (decoded.isEmpty()) {
                return FetchSegment.text(name + "NIL");
            }
            DecodedBody body = decoded.get();
            return body.measure(blob).map(measure -> {
                long start = partial == null ? 0 : Math.min(partial.offset(), measure.size());
                long end = partial == null || partial.length() >= measure.size() - start ? measure.size()
                        : start + partial.length();
                List<FetchSegment> segments = new ArrayList<>();
                // RFC 3516 §4.2: literal8 ("~{n}") when the decoded octets include NUL
                segments.add(new FetchSegment.Octets(name + (measure.nul() ? "~{" : "{") + (end - start) + "}\r\n"));
                segments.add(body.window(start, end));
                return segments;
            });
        });
    }

    /** RFC 3516 §4.2 BINARY.SIZE[part]: the size of the decoded part. */
    static Mono<List<FetchSegment>> size(FetchAttribute.BinarySize size, MessageMeta meta, FetchedBlob blob,
                                         @Nullable MessageStructure structure) {
        String name = "BINARY.SIZE[" + SectionSpec.numbers(size.part()) + "] ";
        if (size.part().isEmpty()) {
            return FetchSegment.text(name + meta.size());
        }
        return decodedPart(size.part(), blob, StructureLoader.required(structure))
                .flatMap(decoded -> decoded.isEmpty()
                        ? FetchSegment.text(name + "NIL")
                        : decoded.get().measure(blob).flatMap(measure -> FetchSegment.text(name + measure.size())));
    }

    /** The part's body with the decoder its Content-Transfer-Encoding names; empty when there is no such part. */
    private static Mono<Optional<DecodedBody>> decodedPart(List<Integer> numbers, FetchedBlob blob,
                                                           MessageStructure structure) {
        Optional<MessagePart> found = structure.root().section(SectionSpec.path(numbers));
        if (found.isEmpty()) {
            return Mono.just(Optional.empty());
        }
        MessagePart part = found.get();
        Range body = new Range(part.bodyStart(), part.end());
        if (part.kind() != MessagePart.Kind.LEAF) {
            // multipart and message/rfc822 bodies carry no encoding of their own (RFC 2045 §6.4)
            return Mono.just(Optional.of(new DecodedBody(body, () -> TransferDecoder.forMechanism(null))));
        }
        return blob.header(part).map(header -> {
            String mechanism = HeaderFields.transferEncoding(header);
            if (TransferDecoder.forMechanism(mechanism) == null) {
                throw new UnknownTransferEncodingException(String.valueOf(mechanism));
            }
            return Optional.of(new DecodedBody(body, () -> TransferDecoder.forMechanism(mechanism)));
        });
    }
}
