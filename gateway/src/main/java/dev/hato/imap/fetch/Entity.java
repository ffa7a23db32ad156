package dev.hato.imap.fetch;

import dev.hato.message.MessagePart;
import dev.hato.message.MimeHeaderValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** One MIME entity while a message is scanned: its kept header fields, offsets, line count and parts. */
final class Entity {

    final long headerStart;
    long bodyStart;
    long end;
    long lines;
    Map<String, String> fields = Map.of();
    MessagePart.Kind kind = MessagePart.Kind.LEAF;
    String type = "TEXT";
    String subtype = "PLAIN";
    List<MimeHeaderValue.Parameter> parameters = List.of();
    final List<Entity> children = new ArrayList<>();
    StructureScanner.@Nullable Stop stop;

    Entity(long headerStart) {
        this.headerStart = headerStart;
    }

    /**
     * The content type of RFC 2045 §5.2: text/plain; charset=us-ascii when absent or unparseable, message/rfc822
     * inside multipart/digest (RFC 2046 §5.1.5). A multipart without a boundary cannot be split and is read as a
     * leaf; past the depth limit multipart and message/rfc822 become opaque application/octet-stream leaves.
     */
    void resolveType(boolean inDigest, boolean mayDescend) {
        String value = fields.get("content-type");
        MimeHeaderValue parsed = value == null ? null : MimeHeaderValue.contentType(value);
        if (parsed == null) {
            type = inDigest ? "MESSAGE" : "TEXT";
            subtype = inDigest ? "RFC822" : "PLAIN";
            parameters = inDigest ? List.of() : List.of(new MimeHeaderValue.Parameter("CHARSET", "US-ASCII"));
        } else {
            type = parsed.primary();
            subtype = parsed.subtype() == null ? "" : parsed.subtype();
            parameters = parsed.parameters();
        }
        boolean multipart = type.equals("MULTIPART");
        boolean message = type.equals("MESSAGE") && subtype.equals("RFC822");
        if ((multipart || message) && !mayDescend) {
            type = "APPLICATION";
            subtype = "OCTET-STREAM";
            parameters = List.of();
            multipart = false;
            message = false;
        }
        if (multipart && boundary() == null) {
            multipart = false;
        }
        kind = multipart ? MessagePart.Kind.MULTIPART
                : message ? MessagePart.Kind.MESSAGE : MessagePart.Kind.LEAF;
    }

    @Nullable String boundary() {
        for (MimeHeaderValue.Parameter parameter : parameters) {
            if (parameter.attribute().equalsIgnoreCase("boundary") && !parameter.value().isEmpty()
                    && parameter.value().length() <= StructureScanner.BOUNDARY_LINE_OCTETS - 4) {
                return parameter.value();
            }
        }
        return null;
    }

    MessagePart part() {
        List<MessagePart> parts = new ArrayList<>(children.size());
        for (Entity child : children) {
            parts.add(child.part());
        }
        return new MessagePart(headerStart, bodyStart, end, kind, parts);
    }

    /**
     * RFC 3501 §7.4.2 BODYSTRUCTURE ({@code extended}) or BODY: body-type-1part with lines for text and with
     * envelope, body and lines for message/rfc822; body-type-mpart with its subtype. Extension data is always
     * given in full, as Dovecot does: body-fld-md5, body-fld-dsp, body-fld-lang and body-fld-loc for a single part,
     * body-fld-param, body-fld-dsp, body-fld-lang and body-fld-loc for a multipart.
     */
    void structure(StringBuilder out, boolean extended) {
        out.append('(');
        if (kind == MessagePart.Kind.MULTIPART) {
            for (Entity child : children) {
                child.structure(out, extended);
            }
            out.append(' ');
            ImapText.nstring(out, subtype);
            if (extended) {
                out.append(' ');
                ImapText.parameters(out, parameters);
                out.append(' ');
                dispositionLanguageLocation(out);
            }
            out.append(')');
            return;
        }
        ImapText.nstring(out, type);
        out.append(' ');
        ImapText.nstring(out, subtype);
        out.append(' ');
        List<MimeHeaderValue.Parameter> shown = parameters;
        if (shown.isEmpty() && type.equals("TEXT")) {
            shown = List.of(new MimeHeaderValue.Parameter("CHARSET", "US-ASCII"));
        }
        ImapText.parameters(out, shown);
        out.append(' ');
        ImapText.nstring(out, trimmed("content-id"));
        out.append(' ');
        ImapText.nstring(out, trimmed("content-description"));
        out.append(' ');
        String encoding = fields.get("content-transfer-encoding");
        String mechanism = encoding == null ? null : MimeHeaderValue.firstToken(encoding);
        ImapText.nstring(out, mechanism == null ? "7BIT" : mechanism.toUpperCase(Locale.ROOT));
        out.append(' ').append(end - bodyStart);
        if (kind == MessagePart.Kind.MESSAGE) {
            Entity inner = children.get(0);
            out.append(' ');
            envelope(out, inner.fields);
            out.append(' ');
            inner.structure(out, extended);
            out.append(' ').append(lines);
        } else if (type.equals("TEXT")) {
            out.append(' ').append(lines);
        }
        if (extended) {
            out.append(' ');
            ImapText.nstring(out, trimmed("content-md5"));
            out.append(' ');
            dispositionLanguageLocation(out);
        }
        out.append(')');
    }

    /** The extension data every body type ends with (RFC 3501 §7.4.2: body-fld-dsp SP body-fld-lang SP body-fld-loc). */
    private void dispositionLanguageLocation(StringBuilder out) {
        disposition(out);
        out.append(' ');
        language(out);
        out.append(' ');
        ImapText.nstring(out, trimmed("content-location"));
    }

    private void disposition(StringBuilder out) {
        String value = fields.get("content-disposition");
        MimeHeaderValue parsed = value == null ? null : MimeHeaderValue.disposition(value);
        if (parsed == null) {
            out.append("NIL");
            return;
        }
        out.append('(');
        ImapText.nstring(out, parsed.primary());
        out.append(' ');
        ImapText.parameters(out, parsed.parameters());
        out.append(')');
    }

    private void language(StringBuilder out) {
        String value = fields.get("content-language");
        List<String> tags = value == null ? List.of() : MimeHeaderValue.languages(value);
        if (tags.isEmpty()) {
            out.append("NIL");
            return;
        }
        out.append('(');
        for (int i = 0; i < tags.size(); i++) {
            if (i > 0) {
                out.append(' ');
            }
            ImapText.nstring(out, tags.get(i));
        }
        out.append(')');
    }

    private @Nullable String trimmed(String field) {
        String value = fields.get(field);
        return value == null ? null : value.strip();
    }

    /**
     * RFC 3501 §7.4.2 ENVELOPE: date, subject, from, sender, reply-to, to, cc, bcc, in-reply-to, message-id, values
     * as in the message (unfolded and trimmed; encoded words left encoded). Sender and Reply-To take the From value
     * when absent or empty, as the RFC requires.
     */
    static void envelope(StringBuilder out, Map<String, String> fields) {
        String from = fields.get("from");
        out.append('(');
        ImapText.nstring(out, stripped(fields.get("date")));
        out.append(' ');
        ImapText.nstring(out, stripped(fields.get("subject")));
        out.append(' ');
        EnvelopeAddresses.format(out, from);
        out.append(' ');
        String sender = fields.get("sender");
        EnvelopeAddresses.format(out, EnvelopeAddresses.hasAddresses(sender) ? sender : from);
        out.append(' ');
        String replyTo = fields.get("reply-to");
        EnvelopeAddresses.format(out, EnvelopeAddresses.hasAddresses(replyTo) ? replyTo : from);
        for (String name : List.of("to", "cc", "bcc")) {
            out.append(' ');
            EnvelopeAddresses.format(out, fields.get(name));
        }
        out.append(' ');
        ImapText.nstring(out, stripped(fields.get("in-reply-to")));
        out.append(' ');
        ImapText.nstring(out, stripped(fields.get("message-id")));
        out.append(')');
    }

    private static @Nullable String stripped(@Nullable String value) {
        return value == null ? null : value.strip();
    }
}
