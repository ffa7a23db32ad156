package dev.hato.smtp.wire;

import dev.hato.message.HeaderSectionEnd;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Streaming checks and repairs of received message content, chunk by chunk, in bounded memory:
 * <ul>
 *   <li>bare CR and bare LF line endings turned into CRLF (RFC 5321 §2.3.8; what Postfix calls "normalize"): a CR
 *       not followed by LF is as foreign to SMTP as an LF not preceded by CR, and a receiver further on that ends
 *       data at {@code <CR>.<CR>} would run whatever follows as commands (SMTP smuggling), so neither is stored or
 *       passed on as it came; NUL octets
 *       noticed — in the whole message, or only in the header section of a {@code BODY=BINARYMIME} message, whose
 *       body may hold any octets (RFC 3030 §3);</li>
 *   <li>header lines longer than RFC 5322 §2.1.1's 998 octets detected;</li>
 *   <li>the trace fields counted for loop detection: {@code Received:} fields (RFC 5321 §6.3) and the addresses of
 *       {@code Delivered-To:} fields (which Hato adds when an alias or forwarding sends a message on).</li>
 * </ul>
 */
public final class ContentChecks {

    /** RFC 5322 §2.1.1: a line MUST be no more than 998 characters, excluding the CRLF. */
    public static final int MAX_HEADER_LINE = 998;
    /** At most this many Delivered-To addresses are kept; a loop shows long before that. */
    static final int MAX_DELIVERED_TO = 100;

    private static final byte[] RECEIVED = "received:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DELIVERED_TO = "delivered-to:".getBytes(StandardCharsets.US_ASCII);

    private final boolean normalizeBareLineFeeds;
    private final boolean binaryBody;
    private final int maxHeaderLine;
    private boolean lastWasCarriageReturn;
    private boolean inHeader = true;
    private final HeaderSectionEnd headerEnd = new HeaderSectionEnd();
    private final byte[] headerLine = new byte[MAX_HEADER_LINE + 2];
    private int headerLineLength;
    private boolean headerLineTooLong;
    private boolean sawNul;
    private boolean sawBareLineFeed;
    private boolean sawBareCarriageReturn;
    private boolean sawEightBit;
    private int received;
    private final Set<String> deliveredTo = new LinkedHashSet<>();

    public ContentChecks(boolean normalizeBareLineFeeds) {
        this(normalizeBareLineFeeds, false);
    }

    /** {@code binaryBody}: the body (after the header section) is {@code BINARYMIME}, neither checked nor changed. */
    public ContentChecks(boolean normalizeBareLineFeeds, boolean binaryBody) {
        this(normalizeBareLineFeeds, binaryBody, MAX_HEADER_LINE);
    }

    /** {@code maxHeaderLine}: the longest header line accepted, at least RFC 5322's 998 octets. */
    public ContentChecks(boolean normalizeBareLineFeeds, boolean binaryBody, int maxHeaderLine) {
        if (maxHeaderLine < MAX_HEADER_LINE) {
            throw new IllegalArgumentException("maxHeaderLine must be at least " + MAX_HEADER_LINE);
        }
        this.normalizeBareLineFeeds = normalizeBareLineFeeds;
        this.binaryBody = binaryBody;
        this.maxHeaderLine = maxHeaderLine;
    }

    /**
     * Scans {@code chunk} and returns it, or a repaired copy when a bare CR or LF had to become CRLF. A CR at the end
     * of a chunk is decided by the next chunk (or by {@link #end()}).
     */
    public ByteBuffer apply(ByteBuffer chunk) {
        ByteBuffer repaired = null;
        for (int i = chunk.position(); i < chunk.limit(); i++) {
            byte b = chunk.get(i);
            if (lastWasCarriageReturn && b != '\n' && (inHeader || !binaryBody)) {
                // RFC 5321 §2.3.8: the CR before this octet was bare; it gets the LF it lacked, as a bare LF gets
                // its CR, so that a line ends there for every reader alike.
                sawBareCarriageReturn = true;
                if (normalizeBareLineFeeds) {
                    if (repaired == null) {
                        // At worst every remaining octet is a bare CR or LF, plus the LF of a CR before them.
                        repaired = ByteBuffer.allocate(2 * chunk.remaining() + 1);
                        repaired.put(chunk.duplicate().limit(i));
                    }
                    repaired.put((byte) '\n');
                    if (inHeader) {
                        scanHeader((byte) '\n');
                    }
                }
            }
            if (inHeader || !binaryBody) {
                if (b == '\n' && !lastWasCarriageReturn) {
                    sawBareLineFeed = true;
                    if (normalizeBareLineFeeds) {
                        if (repaired == null) {
                            // At worst every remaining octet is a bare CR or LF.
                            repaired = ByteBuffer.allocate(2 * chunk.remaining());
                            repaired.put(chunk.duplicate().limit(i));
                        }
                        repaired.put((byte) '\r');
                    }
                } else if (b == 0) {
                    sawNul = true;
                } else if (b < 0) {
                    sawEightBit = true;
                }
            }
            if (inHeader) {
                scanHeader(b);
            }
            if (repaired != null) {
                repaired.put(b);
            }
            lastWasCarriageReturn = b == '\r';
        }
        return repaired == null ? chunk : repaired.flip();
    }

    public boolean headerLineTooLong() {
        return headerLineTooLong;
    }

    public boolean sawNul() {
        return sawNul;
    }

    /**
     * The end of the content: the LF that a CR at its very end lacked (BDAT content may end anywhere), or nothing.
     * Call once, after the last {@link #apply}; what it returns is stored after the content.
     */
    public ByteBuffer end() {
        boolean bare = lastWasCarriageReturn && (inHeader || !binaryBody);
        lastWasCarriageReturn = false;
        if (!bare) {
            return ByteBuffer.allocate(0);
        }
        sawBareCarriageReturn = true;
        return normalizeBareLineFeeds ? ByteBuffer.wrap(new byte[] {'\n'}) : ByteBuffer.allocate(0);
    }

    /** Whether a CR not followed by LF was seen (outside a BINARYMIME body), repaired or not. */
    public boolean sawBareCarriageReturn() {
        return sawBareCarriageReturn;
    }

    public boolean sawBareLineFeed() {
        return sawBareLineFeed;
    }

    /** Whether an octet above 127 was seen (outside a BINARYMIME body): the message needs 8BITMIME to travel. */
    public boolean sawEightBit() {
        return sawEightBit;
    }

    /** The {@code Received:} fields of the header section. */
    public int receivedFields() {
        return received;
    }

    /** The addresses of the {@code Delivered-To:} fields, lower-case, without angle brackets. */
    public Set<String> deliveredTo() {
        return Set.copyOf(deliveredTo);
    }

    /** The first Delivered-To address that is one of {@code addresses} (lower-case), or null. */
    public @Nullable String deliveredToAnyOf(Iterable<String> addresses) {
        for (String address : addresses) {
            if (deliveredTo.contains(address.toLowerCase(Locale.ROOT))) {
                return address;
            }
        }
        return null;
    }

    private void scanHeader(byte b) {
        if (headerEnd.octet(b)) {
            inHeader = false; // the empty line ends the header section
            headerLineLength = 0;
        } else if (b == '\n') {
            endOfHeaderLine();
            headerLineLength = 0;
        } else if (b != '\r') {
            if (headerLineLength < headerLine.length) {
                headerLine[headerLineLength] = b;
            }
            headerLineLength++;
            if (headerLineLength > maxHeaderLine) {
                headerLineTooLong = true;
            }
        }
    }

    private void endOfHeaderLine() {
        if (headerLineLength > headerLine.length) {
            return;
        }
        if (startsWith(RECEIVED)) {
            received++;
        } else if (startsWith(DELIVERED_TO) && deliveredTo.size() < MAX_DELIVERED_TO) {
            String value = new String(headerLine, DELIVERED_TO.length, headerLineLength - DELIVERED_TO.length,
                    StandardCharsets.UTF_8).trim();
            if (value.startsWith("<") && value.endsWith(">")) {
                value = value.substring(1, value.length() - 1);
            }
            if (!value.isEmpty()) {
                deliveredTo.add(value.toLowerCase(Locale.ROOT));
            }
        }
    }

    /** Whether the current header line starts with {@code name} (lower-case ASCII), case-insensitively. */
    private boolean startsWith(byte[] name) {
        if (headerLineLength < name.length) {
            return false;
        }
        for (int k = 0; k < name.length; k++) {
            byte c = headerLine[k];
            if (c >= 'A' && c <= 'Z') {
                c = (byte) (c + 32);
            }
            if (c != name[k]) {
                return false;
            }
        }
        return true;
    }
}
