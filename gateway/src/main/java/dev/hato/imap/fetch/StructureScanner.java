package dev.hato.imap.fetch;

import dev.hato.message.MessageLimits;
import dev.hato.message.MessageParser;
import dev.hato.message.MimeEntity;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Computes a {@link MessageStructure} from a message read from a blocking {@link InputStream} (call it off the event
 * loop): the octets are pushed through a {@link MessageParser}, the one MIME parser, and its {@link MimeEntity} tree
 * rendered as IMAP's ENVELOPE, BODYSTRUCTURE and BODY ({@link BodyStructure}). The parser says how malformed MIME,
 * over-long fields and too many parts are described; how deep the description goes is this scanner's {@code
 * maxDepth} ({@link MimeEntity#within}), whatever depth the parser built the tree to (the door's limit, 100 levels
 * by default, so that one parse both describes a message and checks it at the door).
 */
public final class StructureScanner {

    /** Boundaries are at most 70 characters (RFC 2046 §5.1.1); a longer line cannot be a delimiter. */
    static final int BOUNDARY_LINE_OCTETS = MessageLimits.BOUNDARY_LINE_OCTETS;

    private static final int READ_OCTETS = 8192;

    private final int maxDepth;
    private final int maxFieldOctets;
    private final int maxParts;

    /**
     * @param maxDepth how many multipart and message/rfc822 levels are described, at least 1
     * @param maxFieldOctets the longest kept header field (unfolded), at least 998 (RFC 5322 §2.1.1)
     * @param maxParts the most MIME entities a message may have
     */
    public StructureScanner(int maxDepth, int maxFieldOctets, int maxParts) {
        new MessageParser(maxDepth, maxFieldOctets, maxParts); // validates the limits now, not at the first scan
        this.maxDepth = maxDepth;
        this.maxFieldOctets = maxFieldOctets;
        this.maxParts = maxParts;
    }

    /** Reads {@code message} to its end and describes it; does not close the stream. */
    public MessageStructure scan(InputStream message) throws IOException {
        MessageParser parser = MessageParser.structure(limits(), maxFieldOctets);
        byte[] buffer = new byte[READ_OCTETS];
        for (int n = message.read(buffer); n >= 0; n = message.read(buffer)) {
            parser.feed(buffer, 0, n);
        }
        return describe(parser.finish().root());
    }

    /**
     * The limits a message read without a door is parsed within: this scanner's parts, and the default door's depth
     * (or this scanner's, if deeper), so that the tree is the one the door's parse builds.
     */
    private MessageLimits limits() {
        return MessageParser.limits(Math.max(maxDepth, MessageLimits.DEFAULTS.maxDepth()), maxParts);
    }

    /**
     * A parser that also collects the text to index (see {@link MessageParser#withText(MessageLimits, int, int, int,
     * int)}), for one message: within {@code limits} when it is checked at a door, else within this scanner's.
     */
    MessageParser parserWithText(@Nullable MessageLimits limits, int textHeaderOctets, int maxBodyChars,
                                 int textDepth) {
        return MessageParser.withText(limits == null ? limits() : limits, maxFieldOctets, textHeaderOctets,
                maxBodyChars, textDepth);
    }

    /** The IMAP text of a parsed message, described to this scanner's depth. */
    MessageStructure describe(MimeEntity root) {
        return described(root.within(maxDepth));
    }

    /**
     * The structure of a message the parser failed on (a bug, an input nobody thought of): one opaque
     * application/octet-stream body from {@code bodyStart} to {@code end}, after a header of which nothing is known,
     * so its ENVELOPE is all NIL. It lets FETCH serve the message's octets and keeps the parse from being tried again.
     */
    static MessageStructure opaque(long bodyStart, long end) {
        return described(MimeEntity.opaque(Map.of(), bodyStart, end));
    }

    /** The IMAP text of a parsed message, as deep as the parser built it. */
    static MessageStructure described(MimeEntity root) {
        StringBuilder envelope = new StringBuilder();
        BodyStructure.envelope(envelope, root.fields());
        StringBuilder bodyStructure = new StringBuilder();
        BodyStructure.structure(bodyStructure, root, true);
        StringBuilder body = new StringBuilder();
        BodyStructure.structure(body, root, false);
        return new MessageStructure(envelope.toString(), bodyStructure.toString(), body.toString(), root.part());
    }
}
