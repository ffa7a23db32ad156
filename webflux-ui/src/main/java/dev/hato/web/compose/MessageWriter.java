package dev.hato.web.compose;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * Writes the message a person composed (RFC 5322, MIME), streamed: the header and the text, then each attachment
 * base64-encoded as its octets arrive, so an upload is never held whole.
 *
 * <p>Japanese is written the way it reads well in every client, old ones too: text that ISO-2022-JP can carry goes
 * in ISO-2022-JP, 7bit, each line ending in ASCII (RFC 1468), and header words are encoded words of that charset
 * (RFC 2047, each a whole run of characters); anything else is UTF-8 (base64 in the body). File names are written
 * as RFC 2231 {@code filename*} and, for clients that read only that, an RFC 2047 {@code name}.
 */
final class MessageWriter {

    static final Charset ISO_2022_JP = Charset.forName("ISO-2022-JP");
    private static final byte[] CRLF = {'\r', '\n'};
    /** Octets of a base64 line's input: 57 make the 76 characters RFC 2045 §6.8 allows. */
    private static final int LINE_INPUT = 57;
    private static final DateTimeFormatter DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT);
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * What the person wrote, their addresses already read; {@code html}, when they wrote in the editor, the cleaned
     * HTML ({@link RichText#clean}) that {@code text} is the plain form of.
     */
    record Draft(AddressList.Mailbox from, List<AddressList.Mailbox> to, List<AddressList.Mailbox> cc,
                 List<AddressList.Mailbox> bcc, String subject, String text, @Nullable String html,
                 @Nullable String inReplyTo, List<String> references) { }

    /** A part after the text: an uploaded file, or a forwarded message (type message/rfc822, not re-encoded). */
    record Attachment(String name, String type, Flux<ByteBuffer> content) { }

    private MessageWriter() { }

    /** A new Message-ID, its right side the sender's domain. */
    static String messageId(String domain) {
        byte[] random = new byte[12];
        RANDOM.nextBytes(random);
        return "<" + HexFormat.of().formatHex(random) + "." + System.currentTimeMillis() + "@" + domain + ">";
    }

    /**
     * @param keepBcc whether Bcc is written in the header: only in a draft kept for its writer (RFC 5322 §3.6.3),
     *     never in what is sent
     */
    static Flux<ByteBuffer> write(Draft draft, List<Attachment> attachments, ZonedDateTime date, String messageId,
                                  boolean keepBcc) {
        StringBuilder header = new StringBuilder();
        field(header, "Date", DATE.format(date));
        field(header, "From", mailboxes(List.of(draft.from())));
        if (!draft.to().isEmpty()) {
            field(header, "To", mailboxes(draft.to()));
        }
        if (!draft.cc().isEmpty()) {
            field(header, "Cc", mailboxes(draft.cc()));
        }
        if (keepBcc && !draft.bcc().isEmpty()) {
            field(header, "Bcc", mailboxes(draft.bcc()));
        }
        field(header, "Subject", words(draft.subject()));
        field(header, "Message-ID", messageId);
        if (draft.inReplyTo() != null) {
            field(header, "In-Reply-To", draft.inReplyTo());
        }
        if (!draft.references().isEmpty()) {
            field(header, "References", String.join("\r\n ", draft.references()));
        }
        field(header, "MIME-Version", "1.0");
        field(header, "User-Agent", "Hato webmail");
        Text text = draft.html() == null ? text(draft.text()) : alternative(draft.text(), draft.html());
        if (attachments.isEmpty()) {
            header.append(text.header()).append("\r\n");
            return Flux.just(ascii(header), ByteBuffer.wrap(text.body()));
        }
        String boundary = "=_hato_" + HexFormat.of().formatHex(randomBytes(12));
        field(header, "Content-Type", "multipart/mixed; boundary=\"" + boundary + "\"");
        header.append("\r\nThis is a multi-part message in MIME format.\r\n");
        header.append("--").append(boundary).append("\r\n").append(text.header()).append("\r\n");
        List<Flux<ByteBuffer>> pieces = new ArrayList<>();
        pieces.add(Flux.just(ascii(header), ByteBuffer.wrap(text.body())));
        for (Attachment attachment : attachments) {
            StringBuilder part = new StringBuilder("\r\n--").append(boundary).append("\r\n");
            if (attachment.type().equals("message/rfc822")) {
                part.append("Content-Type: message/rfc822\r\n")
                        .append("Content-Disposition: attachment; filename=\"forwarded.eml\"\r\n\r\n");
                pieces.add(Flux.concat(Flux.just(ascii(part)), attachment.content()));
            } else {
                part.append("Content-Type: ").append(attachment.type()).append(";\r\n name=\"")
                        .append(words(attachment.name()).replace("\"", "")).append("\"\r\n")
                        .append("Content-Disposition: attachment;\r\n filename*=UTF-8''")
                        .append(URLEncoder.encode(attachment.name(), StandardCharsets.UTF_8).replace("+", "%20")
                                .replace("*", "%2A"))
                        .append("\r\nContent-Transfer-Encoding: base64\r\n\r\n");
                pieces.add(Flux.concat(Flux.just(ascii(part)), base64(attachment.content())));
            }
        }
        pieces.add(Flux.just(ascii(new StringBuilder("\r\n--").append(boundary).append("--\r\n"))));
        return Flux.concat(pieces);
    }

    /** The text part: its header fields and its encoded body. */
    private record Text(String header, byte[] body) { }

    private static Text text(String typed) {
        String text = typed.replace("\r\n", "\n").replace('\r', '\n');
        if (!text.endsWith("\n")) {
            text = text + "\n";
        }
        String[] lines = text.split("\n", -1);
        boolean ascii = text.chars().allMatch(c -> c < 0x80);
        if (ascii && maxLength(lines, StandardCharsets.US_ASCII) <= 998) {
            return new Text("Content-Type: text/plain; charset=US-ASCII\r\nContent-Transfer-Encoding: 7bit\r\n",
                    join(lines, StandardCharsets.US_ASCII));
        }
        if (!ascii && canEncode(text) && maxLength(lines, ISO_2022_JP) <= 998) {
            return new Text("Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n",
                    join(lines, ISO_2022_JP));
        }
        byte[] utf8 = join(lines, StandardCharsets.UTF_8);
        byte[] encoded = Base64.getMimeEncoder(76, CRLF).encode(utf8);
        ByteArrayOutputStream body = new ByteArrayOutputStream(encoded.length + 2);
        body.writeBytes(encoded);
        body.writeBytes(CRLF);
        return new Text("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n",
                body.toByteArray());
    }

    /**
     * RFC 2046 §5.1.4: the plain text first, the HTML last (the richer form, which readers that can show it prefer);
     * the HTML in UTF-8, base64 (its lines are as long as the editor made them).
     */
    private static Text alternative(String plain, String html) {
        String boundary = "=_hato_alt_" + HexFormat.of().formatHex(randomBytes(12));
        Text text = text(plain);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\n" + text.header() + "\r\n").getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(text.body());
        body.writeBytes(("\r\n--" + boundary + "\r\nContent-Type: text/html; charset=UTF-8\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(Base64.getMimeEncoder(76, CRLF).encode(RichText.document(html)
                .getBytes(StandardCharsets.UTF_8)));
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return new Text("Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n", body.toByteArray());
    }

    /** The lines, each encoded on its own (so each ISO-2022-JP line ends in ASCII), CRLF after each but the last. */
    private static byte[] join(String[] lines, Charset charset) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < lines.length - 1; i++) {
            out.writeBytes(lines[i].getBytes(charset));
            out.writeBytes(CRLF);
        }
        return out.toByteArray();
    }

    private static int maxLength(String[] lines, Charset charset) {
        int max = 0;
        for (String line : lines) {
            max = Math.max(max, line.getBytes(charset).length);
        }
        return max;
    }

    /** Whether ISO-2022-JP (JIS X 0201 Roman and JIS X 0208) can carry every character. */
    static boolean canEncode(String text) {
        CharsetEncoder encoder = ISO_2022_JP.newEncoder();
        try {
            encoder.encode(CharBuffer.wrap(text));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /**
     * A header value: as it is when it is printable ASCII, else encoded words (ISO-2022-JP when it can carry the
     * text, else UTF-8), each at most 75 characters, folded one to a line.
     */
    static String words(String value) {
        String clean = value.replaceAll("[\\r\\n\\t]+", " ").strip();
        if (clean.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            return clean;
        }
        boolean jis = canEncode(clean);
        String charset = jis ? "ISO-2022-JP" : "UTF-8";
        int perWord = jis ? 10 : 12;
        List<String> words = new ArrayList<>();
        int at = 0;
        while (at < clean.length()) {
            int end = Math.min(clean.length(), clean.offsetByCodePoints(at,
                    Math.min(perWord, clean.codePointCount(at, clean.length()))));
            byte[] octets = clean.substring(at, end).getBytes(jis ? ISO_2022_JP : StandardCharsets.UTF_8);
            words.add("=?" + charset + "?B?" + Base64.getEncoder().encodeToString(octets) + "?=");
            at = end;
        }
        return String.join("\r\n ", words);
    }

    /** {@code Name <address>, ...}, names quoted or encoded as they need. */
    static String mailboxes(List<AddressList.Mailbox> mailboxes) {
        List<String> written = new ArrayList<>();
        for (AddressList.Mailbox mailbox : mailboxes) {
            String name = mailbox.name();
            if (name == null || name.isBlank()) {
                written.add(mailbox.address());
                continue;
            }
            String shown = words(name);
            if (shown.equals(name.strip()) && !shown.matches("[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*")) {
                shown = "\"" + shown.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            }
            written.add(shown + " <" + mailbox.address() + ">");
        }
        return String.join(",\r\n ", written);
    }

    private static void field(StringBuilder header, String name, String value) {
        header.append(name).append(": ").append(value).append("\r\n");
    }

    private static ByteBuffer ascii(CharSequence text) {
        return ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] randomBytes(int count) {
        byte[] random = new byte[count];
        RANDOM.nextBytes(random);
        return random;
    }

    /** Base64 in 76-character lines, as the octets stream in (up to 56 held between chunks). */
    static Flux<ByteBuffer> base64(Flux<ByteBuffer> content) {
        return Flux.defer(() -> {
            ByteArrayOutputStream held = new ByteArrayOutputStream(LINE_INPUT);
            Base64.Encoder encoder = Base64.getEncoder();
            Flux<ByteBuffer> lines = content.map(chunk -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream(chunk.remaining() * 4 / 3 + 80);
                ByteBuffer in = chunk.duplicate();
                while (in.hasRemaining()) {
                    int take = Math.min(in.remaining(), LINE_INPUT - held.size());
                    byte[] piece = new byte[take];
                    in.get(piece);
                    held.writeBytes(piece);
                    if (held.size() == LINE_INPUT) {
                        out.writeBytes(encoder.encode(held.toByteArray()));
                        out.writeBytes(CRLF);
                        held.reset();
                    }
                }
                return ByteBuffer.wrap(out.toByteArray());
            });
            return lines.concatWith(Flux.defer(() -> {
                if (held.size() == 0) {
                    return Flux.empty();
                }
                byte[] last = encoder.encode(held.toByteArray());
                ByteBuffer tail = ByteBuffer.allocate(last.length + 2).put(last).put(CRLF).flip();
                return Flux.just(tail);
            })).filter(ByteBuffer::hasRemaining);
        });
    }
}
