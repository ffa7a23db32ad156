package dev.hato.imap.fetch;

import dev.hato.imap.fetch.FetchSegment.Held;
import dev.hato.imap.fetch.FetchSegment.Range;
import dev.hato.imap.wire.FetchAttribute;
import dev.hato.imap.wire.FetchAttribute.Body;
import dev.hato.imap.wire.FetchAttribute.Section;
import dev.hato.imap.wire.FetchAttribute.Text;
import dev.hato.message.HeaderFields;
import dev.hato.message.MessagePart;
import dev.hato.store.mail.MessageMeta;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Plans {@code BODY[section]<partial>} (RFC 3501 §6.4.5): which byte range of the blob a section is, found from the
 * part offsets the {@link MessageStructure} keeps, so the section streams without parsing the message again. Only
 * HEADER.FIELDS and HEADER.FIELDS.NOT hold octets: the entity's header is read (at most {@link
 * FetchRenderer#MAX_HEADER_OCTETS}) and filtered while planning, because the literal's size is that of the result.
 * Every range goes in a plain literal, so a NUL of a part stored as binary content is sent as 0x80
 * ({@link Range#inLiteral}); BINARY[part] gives the exact octets.
 */
final class BodySection {

    private BodySection() {
    }

    /**
     * The item for {@code body}; the response names the section as asked, without .PEEK. {@code structure} may be
     * null only for {@code BODY[]}, the whole message.
     */
    static Mono<List<FetchSegment>> plan(Body body, MessageMeta meta, FetchedBlob blob,
                                         @Nullable MessageStructure structure) {
        Section section = body.section();
        FetchAttribute.Partial partial = body.partial();
        String name = "BODY[" + SectionSpec.spec(section) + "]"
                + (partial == null ? "" : "<" + partial.offset() + ">") + " ";
        if (section.part().isEmpty() && section.text() == null) {
            return Mono.just(FetchSegment.partialLiteral(name, Range.inLiteral(0, meta.size()), partial));
        }
        MessagePart root = StructureLoader.required(structure).root();
        MessagePart part = section.part().isEmpty() ? root
                : root.section(SectionSpec.path(section.part())).orElse(null);
        if (part == null) {
            return FetchSegment.text(name + "NIL");
        }
        Text kind = section.text();
        if (kind == null) {
            return Mono.just(FetchSegment.partialLiteral(name, Range.inLiteral(part.bodyStart(), part.end()),
                    partial));
        }
        if (kind == Text.MIME) {
            return Mono.just(FetchSegment.partialLiteral(name, Range.inLiteral(part.headerStart(), part.bodyStart()),
                    partial));
        }
        // HEADER, HEADER.FIELDS and TEXT of a part number name the message a message/rfc822 part encapsulates
        MessagePart message = section.part().isEmpty() ? root
                : part.kind() == MessagePart.Kind.MESSAGE ? part.children().get(0) : null;
        if (message == null) {
            return FetchSegment.text(name + "NIL");
        }
        return switch (kind) {
            case TEXT -> Mono.just(FetchSegment.partialLiteral(name,
                    Range.inLiteral(message.bodyStart(), message.end()), partial));
            case HEADER -> Mono.just(FetchSegment.partialLiteral(name,
                    Range.inLiteral(message.headerStart(), message.bodyStart()), partial));
            case HEADER_FIELDS, HEADER_FIELDS_NOT -> blob.header(message)
                    .map(header -> {
                        byte[] filtered = HeaderFields.filter(header, section.fields(),
                                kind == Text.HEADER_FIELDS_NOT);
                        return FetchSegment.partialLiteral(name, new Held(filtered), partial);
                    });
            case MIME -> throw new IllegalStateException("MIME was handled above");
        };
    }
}
