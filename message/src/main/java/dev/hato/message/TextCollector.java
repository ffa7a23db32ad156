package dev.hato.message;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Collects what SEARCH reads, as the {@link MessageParser} walks the message (one walk: the parser finds the
 * headers, the parts and their boundaries, and hands this collector what it needs): the top-level header fields
 * (unfolded, raw) and the decoded text of every text/* part the parser reads as a leaf, message/rfc822 parts
 * descended into unless their own transfer encoding hides them, down to {@code maxDepth} levels. Memory is bounded:
 * the top-level header up to {@code maxHeaderOctets}, a folded field up to {@link #MAX_FIELD_CHARS}, and text stops
 * at {@code maxBodyChars}.
 */
public final class TextCollector {

    /** The longest unfolded top-level field kept for SEARCH HEADER. */
    static final int MAX_FIELD_CHARS = 64 * 1024;
    private static final int BATCH_OCTETS = 8192;
    /** Octets of an undeclared text part looked at before its charset is guessed. */
    private static final int SNIFF_OCTETS = 64 * 1024;

    /** One unfolded top-level header field: its name and raw value, octets held one per char. */
    public record Field(String name, String value) {
    }

    private final int maxHeaderOctets;
    private final int maxBodyChars;
    private final int maxDepth;
    private final List<String> names = new ArrayList<>();
    private final List<StringBuilder> values = new ArrayList<>();
    private final StringBuilder body = new StringBuilder();
    private @Nullable StringBuilder currentValue;
    private int headerOctets;
    private @Nullable PartText text;
    /** Where the text of the first text part with visible characters ends in {@link #body}; -1 before it ends. */
    private int firstTextEnd = -1;
    /** How far {@link #body} is known to hold only white space, while {@link #firstTextEnd} is unknown. */
    private int blankUntil;

    /**
     * @param maxHeaderOctets the top-level header octets kept
     * @param maxBodyChars the body text kept
     * @param maxDepth the deepest multipart and message/rfc822 level text is collected from
     */
    TextCollector(int maxHeaderOctets, int maxBodyChars, int maxDepth) {
        this.maxHeaderOctets = maxHeaderOctets;
        this.maxBodyChars = maxBodyChars;
        this.maxDepth = maxDepth;
    }

    /** The top-level header fields, unfolded, in order. */
    public List<Field> topFields() {
        List<Field> fields = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            fields.add(new Field(names.get(i), values.get(i).toString()));
        }
        return fields;
    }

    public String bodyText() {
        return body.length() > maxBodyChars ? body.substring(0, maxBodyChars) : body.toString();
    }

    /**
     * The RFC 8970 {@link PreviewText preview} of the first text part that has visible text (a part of white space
     * only is passed over); call after the last {@link #endText()}.
     */
    public String preview() {
        int end = Math.min(body.length(), maxBodyChars);
        return PreviewText.of(body, 0, firstTextEnd < 0 ? end : Math.min(firstTextEnd, end));
    }

    /** Whether text is collected from an entity {@code depth} levels down. */
    boolean reaches(int depth) {
        return depth <= maxDepth;
    }

    /**
     * One field line of the message's own header, without its line break: a new field, or a folded continuation
     * (RFC 5322 §2.2.3: unfolding removes the CRLF only). {@code line} may be cut; the parser decides what is a
     * field.
     */
    void topHeaderLine(byte[] line, int length) {
        String text = new String(line, 0, length, StandardCharsets.ISO_8859_1);
        if (length > 0 && (line[0] == ' ' || line[0] == '\t')) {
            if (currentValue != null && currentValue.length() + length <= MAX_FIELD_CHARS) {
                currentValue.append(text);
                headerOctets += length;
            }
            return;
        }
        currentValue = null;
        int colon = text.indexOf(':');
        if (colon <= 0 || headerOctets + length > maxHeaderOctets) {
            return;
        }
        headerOctets += length;
        StringBuilder value = new StringBuilder(text.substring(colon + 1));
        names.add(text.substring(0, colon).strip());
        values.add(value);
        currentValue = value;
    }

    /**
     * A text part's body begins: its octets come through {@link #text} until {@link #endText}. Nothing is collected
     * when no decoder knows its transfer encoding, or when the text limit is reached.
     *
     * @param mechanism the Content-Transfer-Encoding, or null
     * @param charset the charset parameter, or null
     * @param html whether it is text/html, whose text is what a reader sees
     */
    void beginText(@Nullable String mechanism, @Nullable String charset, boolean html) {
        endText();
        TransferDecoder decoder = TransferDecoder.forMechanism(mechanism);
        if (decoder == null || body.length() >= maxBodyChars) {
            return;
        }
        text = new PartText(decoder, MimeCharsets.declared(charset), html);
        if (body.length() > 0 && body.charAt(body.length() - 1) != '\n') {
            body.append('\n');
        }
    }

    /** Whether a text part's octets are wanted now. */
    boolean collecting() {
        return text != null;
    }

    /** Octets of the text part's body, line breaks included, in order. */
    void text(byte[] octets, int offset, int length) {
        if (text != null) {
            text.bytes(octets, offset, length);
        }
    }

    /** The text part has ended. */
    void endText() {
        if (text != null) {
            text.finish();
            text = null;
            if (firstTextEnd < 0) {
                while (blankUntil < body.length() && Character.isWhitespace(body.charAt(blankUntil))) {
                    blankUntil++;
                }
                if (blankUntil < body.length()) {
                    firstTextEnd = body.length();
                }
            }
        }
    }

    /** One text part's decoding: transfer decoding, then charset decoding, then HTML to text when it is HTML. */
    private final class PartText {
        private final TransferDecoder transfer;
        /** Null while undeclared text is gathered to {@link MimeCharsets#sniff sniff} its charset. */
        private @Nullable CharsetDecoder charset;
        private final @Nullable HtmlText html;
        private final ByteArrayOutputStream decoded = new ByteArrayOutputStream();
        private ByteBuffer pending = ByteBuffer.allocate(0);
        private final CharBuffer chars = CharBuffer.allocate(BATCH_OCTETS);
        private final StringBuilder htmlOut = new StringBuilder();

        PartText(TransferDecoder transfer, @Nullable Charset declared, boolean html) {
            this.transfer = transfer;
            this.charset = declared == null ? null : decoder(declared);
            this.html = html ? new HtmlText(htmlOut) : null;
        }

        void bytes(byte[] octets, int offset, int length) {
            if (body.length() >= maxBodyChars) {
                return;
            }
            transfer.decode(octets, offset, length, decoded);
            // charset decoding in batches: per line it would cost more than the decoding itself
            if (decoded.size() >= BATCH_OCTETS) {
                characters(false);
            }
        }

        public void finish() {
            transfer.finish(decoded);
            characters(true);
        }

        private CharsetDecoder decoder(Charset charset) {
            return charset.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE);
        }

        private void characters(boolean last) {
            if (charset == null && !last && decoded.size() < SNIFF_OCTETS) {
                return; // undeclared: more octets make a better guess
            }
            byte[] fresh = decoded.toByteArray();
            CharsetDecoder charset = this.charset;
            if (charset == null) {
                charset = decoder(MimeCharsets.sniff(fresh, 0, fresh.length, last));
                this.charset = charset;
            }
            decoded.reset();
            ByteBuffer in;
            if (pending.hasRemaining()) {
                in = ByteBuffer.allocate(pending.remaining() + fresh.length);
                in.put(pending).put(fresh).flip();
            } else {
                in = ByteBuffer.wrap(fresh);
            }
            while (true) {
                var result = charset.decode(in, chars, last);
                emit();
                if (!result.isOverflow()) {
                    break;
                }
            }
            if (last) {
                while (charset.flush(chars).isOverflow()) {
                    emit();
                }
                emit();
            }
            pending = in;
        }

        private void emit() {
            chars.flip();
            if (html != null) {
                html.append(chars);
                keep(htmlOut.toString().toCharArray(), 0, htmlOut.length());
                htmlOut.setLength(0);
            } else {
                keep(chars.array(), chars.arrayOffset() + chars.position(), chars.remaining());
            }
            chars.clear();
        }

        /** Appends the text without carriage returns, up to the limit. */
        private void keep(char[] text, int offset, int length) {
            int end = offset + length;
            int run = offset;
            for (int i = offset; i < end; i++) {
                if (text[i] == '\r') {
                    body.append(text, run, i - run);
                    run = i + 1;
                }
            }
            body.append(text, run, end - run);
            if (body.length() > maxBodyChars) {
                body.setLength(maxBodyChars);
            }
        }
    }
}
