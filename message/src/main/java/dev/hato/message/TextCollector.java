package dev.hato.message;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Collects, as a push parser fed the message's octets in any chunking, what SEARCH reads: the top-level header
 * fields (unfolded, raw) and the decoded text of every text/* part, message/rfc822 parts descended into. It keeps
 * its own small MIME state (the open boundaries, RFC 2046 §5.1.1) because the structure scanner looks at body
 * lines only for boundaries. Memory is bounded: a line is held up to {@link #LINE_OCTETS} octets (a longer body
 * line is not a boundary and streams on), the top-level header up to {@code maxHeaderOctets}, part header fields
 * up to {@link #LINE_OCTETS}, and text stops at {@code maxBodyChars}.
 */
public final class TextCollector {

    static final int LINE_OCTETS = 8192;
    private static final int BATCH_OCTETS = 8192;
    /** Octets of an undeclared text part looked at before its charset is guessed. */
    private static final int SNIFF_OCTETS = 64 * 1024;

    /** One unfolded top-level header field: its name and raw value, octets held one per char. */
    public record Field(String name, String value) {
    }

    private enum Mode { HEADER, TEXT, SKIP }

    private record Frame(byte[] boundary, boolean digest, int depth) {
    }

    private final int maxHeaderOctets;
    private final int maxBodyChars;
    private final int maxDepth;
    private final List<Frame> frames = new ArrayList<>();
    private final List<Field> topFields = new ArrayList<>();
    private final StringBuilder body = new StringBuilder();

    private byte[] line = new byte[256]; // grows up to LINE_OCTETS
    private int lineLength;
    private boolean overlong; // the current line passed LINE_OCTETS

    private Mode mode = Mode.HEADER;
    private int depth;
    private boolean top = true;
    private boolean inDigest;
    private int headerOctets;
    private final List<String> partNames = new ArrayList<>();
    private final List<StringBuilder> values = new ArrayList<>();
    private @Nullable StringBuilder currentValue;
    private @Nullable PartText text;
    /** Where the text of the first text part with visible characters ends in {@link #body}; -1 before it ends. */
    private int firstTextEnd = -1;
    /** How far {@link #body} is known to hold only white space, while {@link #firstTextEnd} is unknown. */
    private int blankUntil;

    public TextCollector(int maxHeaderOctets, int maxBodyChars, int maxDepth) {
        this.maxHeaderOctets = maxHeaderOctets;
        this.maxBodyChars = maxBodyChars;
        this.maxDepth = maxDepth;
    }

    public List<Field> topFields() {
        return topFields;
    }

    public String bodyText() {
        return body.length() > maxBodyChars ? body.substring(0, maxBodyChars) : body.toString();
    }

    /**
     * The RFC 8970 {@link PreviewText preview} of the first text part that has visible text (a part of white space
     * only is passed over); call after {@link #finish()}.
     */
    public String preview() {
        int end = Math.min(body.length(), maxBodyChars);
        return PreviewText.of(body, 0, firstTextEnd < 0 ? end : Math.min(firstTextEnd, end));
    }

    public void feed(byte[] octets, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end) {
            int lf = -1;
            for (int j = i; j < end; j++) {
                if (octets[j] == '\n') {
                    lf = j;
                    break;
                }
            }
            int stop = lf < 0 ? end : lf + 1;
            append(octets, i, stop - i);
            if (lf >= 0) {
                endOfLine();
            }
            i = stop;
        }
    }

    public void finish() {
        if (lineLength > 0 || overlong) {
            endOfLine();
        }
        if (mode == Mode.HEADER && top) {
            endOfHeader(); // a message that is all header, without the empty line (RFC 5322 §3.5 allows it)
        }
        endText();
    }

    private void append(byte[] octets, int offset, int length) {
        if (overlong) {
            if (mode == Mode.TEXT && text != null) {
                text.bytes(octets, offset, length);
            }
            return;
        }
        int room = LINE_OCTETS - lineLength;
        int wanted = lineLength + Math.min(length, room);
        if (wanted > line.length) {
            line = Arrays.copyOf(line, Math.min(LINE_OCTETS, Math.max(wanted, line.length * 2)));
        }
        if (length <= room) {
            System.arraycopy(octets, offset, line, lineLength, length);
            lineLength += length;
            return;
        }
        // Longer than any boundary or kept field: a body line streams on, a header line is cut.
        System.arraycopy(octets, offset, line, lineLength, room);
        lineLength += room;
        overlong = true;
        if (mode == Mode.TEXT && text != null) {
            text.bytes(line, 0, lineLength);
            text.bytes(octets, offset + room, length - room);
        } else if (mode == Mode.HEADER) {
            headerLine(false);
        }
    }

    private void endOfLine() {
        boolean wasOverlong = overlong;
        overlong = false;
        int length = lineLength;
        lineLength = 0;
        if (wasOverlong) {
            return;
        }
        if (boundary(length)) {
            return;
        }
        switch (mode) {
            case HEADER -> {
                lineLength = length;
                headerLine(true);
                lineLength = 0;
            }
            case TEXT -> {
                if (text != null) {
                    text.bytes(line, 0, length);
                }
            }
            case SKIP -> {
            }
        }
    }

    /** RFC 2046 §5.1.1: "--" boundary, "--" for the close, then only white space; innermost frame first. */
    private boolean boundary(int length) {
        if (frames.isEmpty() || length < 2 || line[0] != '-' || line[1] != '-') {
            return false;
        }
        int content = length;
        while (content > 0 && (line[content - 1] == '\n' || line[content - 1] == '\r')) {
            content--;
        }
        for (int level = frames.size() - 1; level >= 0; level--) {
            byte[] boundary = frames.get(level).boundary;
            if (content < 2 + boundary.length || !startsWith(boundary)) {
                continue;
            }
            int rest = 2 + boundary.length;
            boolean close = content >= rest + 2 && line[rest] == '-' && line[rest + 1] == '-';
            boolean padding = true;
            for (int i = close ? rest + 2 : rest; i < content && padding; i++) {
                padding = line[i] == ' ' || line[i] == '\t';
            }
            if (!padding) {
                continue;
            }
            endText();
            Frame frame = frames.get(level);
            while (frames.size() > level + 1) {
                frames.remove(frames.size() - 1);
            }
            if (close) {
                frames.remove(level);
                mode = Mode.SKIP;
            } else {
                startEntity(frame.depth + 1, frame.digest);
            }
            return true;
        }
        return false;
    }

    private boolean startsWith(byte[] boundary) {
        for (int i = 0; i < boundary.length; i++) {
            if (line[2 + i] != boundary[i]) {
                return false;
            }
        }
        return true;
    }

    private void startEntity(int entityDepth, boolean digest) {
        mode = Mode.HEADER;
        depth = entityDepth;
        inDigest = digest;
        partNames.clear();
        values.clear();
        currentValue = null;
    }

    /** One header line (complete, or cut at {@link #LINE_OCTETS} when {@code complete} is false). */
    private void headerLine(boolean complete) {
        int content = lineLength;
        while (content > 0 && (line[content - 1] == '\n' || line[content - 1] == '\r')) {
            content--;
        }
        if (complete && content == 0) {
            endOfHeader();
            return;
        }
        String text = new String(line, 0, content, StandardCharsets.ISO_8859_1);
        if (line[0] == ' ' || line[0] == '\t') {
            // RFC 5322 §2.2.3: unfolding removes the CRLF only
            if (currentValue != null && currentValue.length() + text.length() <= LINE_OCTETS * 8) {
                currentValue.append(text);
                headerOctets += text.length();
            }
            return;
        }
        int colon = text.indexOf(':');
        String name = colon > 0 ? text.substring(0, colon).strip() : "";
        if (name.isEmpty() || !fieldName(name)) {
            // Not a field: the header has ended without its empty line and this line is body.
            endOfHeader();
            if (mode == Mode.TEXT && this.text != null) {
                this.text.bytes(line, 0, lineLength);
            }
            return;
        }
        StringBuilder value = new StringBuilder(text.substring(colon + 1));
        currentValue = value;
        if (top) {
            if (headerOctets + text.length() <= maxHeaderOctets) {
                headerOctets += text.length();
                topFields.add(new Field(name, ""));
                partNames.add(name.toLowerCase(Locale.ROOT));
                values.add(value);
            } else {
                currentValue = null;
            }
        } else {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-")) {
                partNames.add(lower);
                values.add(value);
            } else {
                currentValue = null;
            }
        }
    }

    private static boolean fieldName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 0x7F) {
                return false;
            }
        }
        return true;
    }

    private @Nullable String partField(String name) {
        for (int i = 0; i < partNames.size(); i++) {
            if (partNames.get(i).equals(name)) {
                return values.get(i).toString();
            }
        }
        return null;
    }

    /** The empty line: decides from Content-Type and Content-Transfer-Encoding what the body is. */
    private void endOfHeader() {
        if (top) {
            for (int i = 0; i < topFields.size(); i++) {
                topFields.set(i, new Field(topFields.get(i).name(), values.get(i).toString()));
            }
            top = false;
        }
        String typeValue = partField("content-type");
        MimeHeaderValue type = typeValue == null ? null : MimeHeaderValue.contentType(typeValue);
        String encodingValue = partField("content-transfer-encoding");
        String mechanism = encodingValue == null ? null : MimeHeaderValue.firstToken(encodingValue);
        values.clear();
        partNames.clear();
        currentValue = null;
        String primary = type == null ? (inDigest ? "MESSAGE" : "TEXT") : type.primary();
        String subtype = type == null ? (inDigest ? "RFC822" : "PLAIN") : type.subtype();
        boolean descend = depth < maxDepth;
        if (primary.equals("MULTIPART") && descend) {
            String boundary = type == null ? null : type.parameter("boundary");
            if (boundary != null && !boundary.isEmpty() && boundary.length() <= 200) {
                frames.add(new Frame(boundary.getBytes(StandardCharsets.ISO_8859_1),
                        "DIGEST".equals(subtype), depth));
                mode = Mode.SKIP; // RFC 2046 §5.1.1: the preamble is to be ignored
                return;
            }
        }
        TransferDecoder decoder = TransferDecoder.forMechanism(mechanism);
        if (primary.equals("MESSAGE") && "RFC822".equals(subtype) && descend && decoder != null
                && !decoder.transforms()) {
            startEntity(depth + 1, false);
            return;
        }
        if (primary.equals("TEXT") && decoder != null && body.length() < maxBodyChars) {
            String charset = type == null ? null : type.parameter("charset");
            text = new PartText(decoder, MimeCharsets.declared(charset), "HTML".equals(subtype));
            if (body.length() > 0 && body.charAt(body.length() - 1) != '\n') {
                body.append('\n');
            }
            mode = Mode.TEXT;
            return;
        }
        mode = Mode.SKIP;
    }

    private void endText() {
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
