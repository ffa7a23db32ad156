package dev.hato.imap.fetch;

import dev.hato.message.MessagePart;
import dev.hato.message.MimeEntity;
import dev.hato.message.MimeHeaderValue;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The IMAP text of a parsed message's {@link MimeEntity} tree (RFC 3501 §7.4.2): BODYSTRUCTURE, BODY and ENVELOPE,
 * one octet per char, as {@link MessageStructure} keeps them.
 */
final class BodyStructure {

    private BodyStructure() {
    }

    /**
     * RFC 3501 §7.4.2 BODYSTRUCTURE ({@code extended}) or BODY: body-type-1part with lines for text and with
     * envelope, body and lines for message/rfc822; body-type-mpart with its subtype. Extension data is always
     * given in full, as Dovecot does: body-fld-md5, body-fld-dsp, body-fld-lang and body-fld-loc for a single part,
     * body-fld-param, body-fld-dsp, body-fld-lang and body-fld-loc for a multipart.
     */
    static void structure(StringBuilder out, MimeEntity entity, boolean extended) {
        out.append('(');
        if (entity.kind() == MessagePart.Kind.MULTIPART) {
            for (MimeEntity child : entity.children()) {
                structure(out, child, extended);
            }
            out.append(' ');
            ImapText.nstring(out, entity.subtype());
            if (extended) {
                out.append(' ');
                ImapText.parameters(out, entity.parameters());
                out.append(' ');
                dispositionLanguageLocation(out, entity);
            }
            out.append(')');
            return;
        }
        ImapText.nstring(out, entity.type());
        out.append(' ');
        ImapText.nstring(out, entity.subtype());
        out.append(' ');
        List<MimeHeaderValue.Parameter> shown = entity.parameters();
        if (shown.isEmpty() && entity.type().equals("TEXT")) {
            shown = List.of(new MimeHeaderValue.Parameter("CHARSET", "US-ASCII"));
        }
        ImapText.parameters(out, shown);
        out.append(' ');
        ImapText.nstring(out, trimmed(entity, "content-id"));
        out.append(' ');
        ImapText.nstring(out, trimmed(entity, "content-description"));
        out.append(' ');
        String encoding = entity.field("content-transfer-encoding");
        String mechanism = encoding == null ? null : MimeHeaderValue.firstToken(encoding);
        ImapText.nstring(out, mechanism == null ? "7BIT" : mechanism.toUpperCase(Locale.ROOT));
        out.append(' ').append(entity.end() - entity.bodyStart());
        if (entity.kind() == MessagePart.Kind.MESSAGE) {
            MimeEntity inner = entity.children().get(0);
            out.append(' ');
            envelope(out, inner.fields());
            out.append(' ');
            structure(out, inner, extended);
            out.append(' ').append(entity.lines());
        } else if (entity.type().equals("TEXT")) {
            out.append(' ').append(entity.lines());
        }
        if (extended) {
            out.append(' ');
            ImapText.nstring(out, trimmed(entity, "content-md5"));
            out.append(' ');
            dispositionLanguageLocation(out, entity);
        }
        out.append(')');
    }

    /** The extension data every body type ends with (RFC 3501 §7.4.2: body-fld-dsp SP body-fld-lang SP body-fld-loc). */
    private static void dispositionLanguageLocation(StringBuilder out, MimeEntity entity) {
        disposition(out, entity);
        out.append(' ');
        language(out, entity);
        out.append(' ');
        ImapText.nstring(out, trimmed(entity, "content-location"));
    }

    private static void disposition(StringBuilder out, MimeEntity entity) {
        String value = entity.field("content-disposition");
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

    private static void language(StringBuilder out, MimeEntity entity) {
        String value = entity.field("content-language");
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

    private static @Nullable String trimmed(MimeEntity entity, String field) {
        String value = entity.field(field);
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
