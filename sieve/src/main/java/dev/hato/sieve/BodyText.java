package dev.hato.sieve;

import dev.hato.message.HtmlText;
import dev.hato.message.MessageLimits;
import dev.hato.message.MessagePart;
import dev.hato.message.MessageParser;
import dev.hato.message.MimeCharsets;
import dev.hato.message.MimeEntity;
import dev.hato.message.TransferDecoder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The strings a {@code body} test matches (RFC 5173 §5): {@code :raw} the undecoded body as one string;
 * {@code :content} every MIME part whose type matches, found recursively through multiparts and message/rfc822 (a
 * multipart gives its prologue and epilogue, a message/rfc822 the header of the message inside, any other part its
 * content with the transfer encoding undone and text in its charset); {@code :text} the text parts, HTML turned
 * into the text a reader sees, as Pigeonhole does. A message that is only a header has no body: no strings.
 */
final class BodyText {

    private BodyText() { }

    static List<String> raw(byte[] message) {
        int start = bodyStart(message);
        return start < 0 ? List.of() : List.of(MimeCharsets.utf8OrLatin(message, start, message.length - start));
    }

    static List<String> content(byte[] message, List<String> types, boolean text) {
        if (bodyStart(message) < 0) {
            return List.of();
        }
        MessageParser parser = MessageParser.structure(MessageLimits.DEFAULTS);
        parser.feed(message, 0, message.length);
        MimeEntity root = parser.finish().root();
        List<String> found = new ArrayList<>();
        visit(message, root, types, text, found);
        return found;
    }

    private static void visit(byte[] message, MimeEntity entity, List<String> types, boolean text, List<String> found) {
        boolean wanted = types.stream().anyMatch(type -> matches(type, entity));
        if (entity.kind() == MessagePart.Kind.MULTIPART) {
            if (wanted && !entity.children().isEmpty()) {
                prologueAndEpilogue(message, entity, found);
            }
            entity.children().forEach(child -> visit(message, child, types, text, found));
        } else if (entity.kind() == MessagePart.Kind.MESSAGE) {
            if (wanted && !entity.children().isEmpty()) {
                MimeEntity inner = entity.children().get(0);
                found.add(MimeCharsets.utf8OrLatin(message, (int) inner.headerStart(),
                        (int) (inner.bodyStart() - inner.headerStart())));
            }
            entity.children().forEach(child -> visit(message, child, types, text, found));
        } else if (wanted) {
            String content = decoded(message, entity);
            found.add(text && entity.subtype().equalsIgnoreCase("html") ? HtmlText.toText(content) : content);
        }
    }

    /** RFC 5173 §5.2: "" matches every type, "type" its subtypes, "type/subtype" that one, anything else none. */
    private static boolean matches(String spec, MimeEntity entity) {
        if (spec.isEmpty()) {
            return true;
        }
        int slash = spec.indexOf('/');
        if (slash < 0) {
            return spec.equalsIgnoreCase(entity.type());
        }
        if (slash == 0 || slash == spec.length() - 1 || spec.indexOf('/', slash + 1) >= 0) {
            return false;
        }
        return spec.substring(0, slash).equalsIgnoreCase(entity.type())
                && spec.substring(slash + 1).equalsIgnoreCase(entity.subtype());
    }

    private static String decoded(byte[] message, MimeEntity part) {
        TransferDecoder decoder = TransferDecoder.forPart(part);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int from = (int) part.bodyStart();
        int to = (int) Math.min(part.end(), message.length);
        decoder.decode(message, from, Math.max(0, to - from), out);
        decoder.finish(out);
        byte[] octets = out.toByteArray();
        if (!part.type().equalsIgnoreCase("text")) {
            return MimeCharsets.utf8OrLatin(octets, 0, octets.length);
        }
        Charset charset = MimeCharsets.declared(part.parameter("charset"));
        if (charset == null) {
            charset = MimeCharsets.sniff(octets, 0, octets.length, true);
        }
        return new String(octets, charset);
    }

    /** RFC 2046 §5.1.1: the prologue before the first delimiter line, the epilogue after the close delimiter line. */
    private static void prologueAndEpilogue(byte[] message, MimeEntity multipart, List<String> found) {
        String boundary = multipart.parameter("boundary");
        if (boundary == null) {
            return;
        }
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int bodyStart = (int) multipart.bodyStart();
        int first = lastIndexOf(message, delimiter, bodyStart, (int) multipart.children().get(0).headerStart());
        if (first >= bodyStart) {
            int end = first;
            if (end - 2 >= bodyStart && message[end - 2] == '\r' && message[end - 1] == '\n') {
                end -= 2; // the CRLF before a delimiter belongs to the delimiter
            } else if (end - 1 >= bodyStart && message[end - 1] == '\n') {
                end -= 1;
            }
            found.add(MimeCharsets.utf8OrLatin(message, bodyStart, end - bodyStart));
        }
        MimeEntity last = multipart.children().get(multipart.children().size() - 1);
        int multipartEnd = (int) Math.min(multipart.end(), message.length);
        int close = indexOf(message, delimiter, (int) last.end(), multipartEnd);
        if (close >= 0) {
            int lineEnd = close;
            while (lineEnd < multipartEnd && message[lineEnd] != '\n') {
                lineEnd++;
            }
            int epilogue = Math.min(lineEnd + 1, multipartEnd);
            found.add(MimeCharsets.utf8OrLatin(message, epilogue, multipartEnd - epilogue));
        }
    }

    /** Where the body starts after the header's empty line, or -1 when the message is a header only. */
    static int bodyStart(byte[] message) {
        if (message.length >= 2 && message[0] == '\r' && message[1] == '\n') {
            return 2;
        }
        if (message.length >= 1 && message[0] == '\n') {
            return 1;
        }
        for (int i = 0; i < message.length; i++) {
            if (message[i] == '\n') {
                if (i + 1 < message.length && message[i + 1] == '\n') {
                    return i + 2;
                }
                if (i + 2 < message.length && message[i + 1] == '\r' && message[i + 2] == '\n') {
                    return i + 3;
                }
            }
        }
        return -1;
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from, int to) {
        for (int i = Math.max(0, from); i + needle.length <= to; i++) {
            if (startsWith(haystack, needle, i)) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(byte[] haystack, byte[] needle, int from, int to) {
        for (int i = to - needle.length; i >= from; i--) {
            if (startsWith(haystack, needle, i)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] haystack, byte[] needle, int at) {
        for (int j = 0; j < needle.length; j++) {
            if (haystack[at + j] != needle[j]) {
                return false;
            }
        }
        return true;
    }

    /** For {@code :text}: the types it reads (RFC 5173 §5.2 allows "the same as :content "text""). */
    static final List<String> TEXT = List.of("text");
}
