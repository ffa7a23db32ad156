package dev.hato.message;

/**
 * The shape a message must have to be stored (SMTP DATA and BDAT on every listener, IMAP APPEND), checked at the door
 * by the {@link MessageParser} that reads the message as it is spooled ({@link LimitBreach}), so that everything
 * stored can be described by that parser and served by FETCH and SEARCH at a cost that grows with the message and no
 * faster. Defaults, in the spirit of mature servers:
 * <ul>
 *   <li>{@code maxParts} 10,000 MIME entities: Dovecot's message parser stops at 10,000 parts, and so does
 *       the structure scanner here; a real message has a few dozen, a large digest a few hundred;</li>
 *   <li>{@code maxDepth} 100 multipart and message/rfc822 levels: Dovecot's nesting cap; nobody nests mail that
 *       deep except to hurt a parser;</li>
 *   <li>{@code maxHeaderFields} 1,000 fields in one header section: ten times the 100 {@code Received:} fields
 *       RFC 5321 §6.3 asks a server to accept before it calls a message a loop;</li>
 *   <li>{@code maxHeaderOctets} 256 KiB for one header section (of the message or of any part): two and a half
 *       times Postfix's {@code header_size_limit} of 100 KB for a single field, and the whole of what SEARCH HEADER
 *       indexes ({@code MessageIndexer.MAX_HEADER_OCTETS} in the gateway), so no accepted header is cut for search;</li>
 *   <li>{@code maxHeaderLine} 998 octets per header line, at every MIME level: RFC 5322 §2.1.1's MUST (RFC 2045
 *       §1 applies RFC 5322 syntax to part headers); it can be raised, never lowered below it.</li>
 * </ul>
 */
public record MessageLimits(int maxParts, int maxDepth, int maxHeaderFields, int maxHeaderOctets, int maxHeaderLine) {

    /** RFC 5322 §2.1.1: a line MUST be no more than 998 characters, excluding the CRLF. */
    public static final int RFC_5322_LINE = 998;

    /** Boundaries are at most 70 characters (RFC 2046 §5.1.1); a longer line cannot be a delimiter. */
    public static final int BOUNDARY_LINE_OCTETS = 256;

    public static final MessageLimits DEFAULTS = new MessageLimits(10_000, 100, 1_000, 256 * 1024, RFC_5322_LINE);

    public MessageLimits {
        if (maxParts < 1 || maxDepth < 1 || maxHeaderFields < 1) {
            throw new IllegalArgumentException("MIME part, depth and header field limits must be at least 1");
        }
        if (maxHeaderLine < RFC_5322_LINE) {
            throw new IllegalArgumentException("the header line limit must be at least 998 octets (RFC 5322 §2.1.1)");
        }
        if (maxHeaderOctets < 1) {
            throw new IllegalArgumentException("the header section limit must be at least 1 octet");
        }
    }
}
