package dev.hato.message;

import org.jspecify.annotations.Nullable;

/**
 * The {@link MessageLimits} of one message, counted by its {@link MessageParser} as the lines go by: the header
 * section being read (one at a time: a part's header starts only after its parent's has ended), and the first limit
 * broken. After a breach nothing more is counted.
 */
final class LimitCount {

    private final MessageLimits limits;
    /** Lines starting before this offset are the receiving server's own (trace fields). */
    private long countFrom;
    private int fields;
    private long headerOctets;
    private @Nullable LimitBreach breach;

    LimitCount(MessageLimits limits) {
        this.limits = limits;
    }

    void exempt(long ownOctets) {
        countFrom = ownOctets;
    }

    @Nullable LimitBreach breach() {
        return breach;
    }

    /**
     * RFC 5322 §2.1.1 and §2.2.3: a line of the header section being read, starting at {@code lineStart}, a new field
     * or ({@code field} false) the continuation of one; the line ending is counted in the section's size.
     */
    void headerLine(long lineStart, long length, int terminator, boolean field) {
        if (breach != null || lineStart < countFrom) {
            return;
        }
        if (field) {
            fields++;
        }
        headerOctets += length + terminator;
        if (length > limits.maxHeaderLine()) {
            breach(LimitBreach.Kind.HEADER_LINE, "a header line is longer than " + limits.maxHeaderLine()
                    + " octets (RFC 5322 §2.1.1)");
        } else if (fields > limits.maxHeaderFields()) {
            breach(LimitBreach.Kind.HEADER_FIELDS, "a header section has more than " + limits.maxHeaderFields()
                    + " fields");
        } else if (headerOctets > limits.maxHeaderOctets()) {
            breach(LimitBreach.Kind.HEADER_SIZE, "a header section is larger than " + limits.maxHeaderOctets()
                    + " octets");
        }
    }

    /** The header section being read ended; the next one is counted from zero. */
    void headerEnded() {
        fields = 0;
        headerOctets = 0;
    }

    /** An entity past {@code maxParts}. */
    void tooManyParts() {
        breach(LimitBreach.Kind.PARTS, "the message has more than " + limits.maxParts() + " MIME parts");
    }

    /** A multipart or message/rfc822 entity {@code maxDepth} levels deep, whose parts would be deeper still. */
    void tooDeep() {
        breach(LimitBreach.Kind.DEPTH, "MIME parts are nested deeper than " + limits.maxDepth() + " levels");
    }

    private void breach(LimitBreach.Kind kind, String text) {
        if (breach == null) {
            breach = new LimitBreach(kind, text);
        }
    }
}
