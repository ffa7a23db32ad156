package dev.hato.web.mail;

import dev.hato.message.EncodedWords;
import dev.hato.message.MessagePart;
import dev.hato.message.MimeCharsets;
import dev.hato.message.MimeEntity;
import dev.hato.message.MimeHeaderValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the reader shows of a message, from its MIME tree: the header fields people read (decoded: RFC 2047 encoded
 * words, raw UTF-8 of RFC 6532, or the charset raw octets show), the part shown as the body (the HTML or the plain
 * text of a multipart/alternative, else the first inline text part), and every other leaf as an attachment, named as
 * RFC 2231 and RFC 2047 (as senders write it) say. Parts are numbered as IMAP numbers them (RFC 3501 §6.4.5):
 * {@code 1}, {@code 2.1}, ...; a message/rfc822 part is one attachment.
 */
public record MessageView(String from, String to, String cc, String date, String subject,
                          @Nullable Section html, @Nullable Section text, List<Attachment> attachments,
                          Map<String, String> contentIds) {

    /** A leaf part and its IMAP section number. */
    public record Section(String number, MimeEntity part) { }

    /** A part that is not the body: its section, name, type and encoded size. */
    public record Attachment(String section, String name, String type, long size) {

        /** The size for people: bytes, KB or MB (of the encoded part, so a little more than the file). */
        public String shownSize() {
            if (size < 1024) {
                return size + " B";
            }
            if (size < 1024 * 1024) {
                return (size + 512) / 1024 + " KB";
            }
            return String.format(Locale.ROOT, "%.1f MB", size / (1024.0 * 1024.0));
        }
    }

    public static MessageView of(MimeEntity root) {
        Builder builder = new Builder();
        builder.walk(root, "", true);
        return new MessageView(field(root, "from"), field(root, "to"), field(root, "cc"), field(root, "date"),
                field(root, "subject"), builder.html, builder.text, List.copyOf(builder.attachments),
                Map.copyOf(builder.contentIds));
    }

    /** The part with this IMAP section number, or null. */
    public static @Nullable MimeEntity section(MimeEntity root, String number) {
        MimeEntity entity = root;
        for (String step : number.split("\\.", -1)) {
            int index;
            try {
                index = Integer.parseInt(step);
            } catch (NumberFormatException e) {
                return null;
            }
            if (entity.kind() == MessagePart.Kind.MULTIPART) {
                if (index < 1 || index > entity.children().size()) {
                    return null;
                }
                entity = entity.children().get(index - 1);
            } else if (index == 1 && entity == root) {
                // The body of a single-part message is section 1.
                continue;
            } else {
                return null;
            }
        }
        return entity;
    }

    /** A field of the message's own header, unfolded and decoded for reading; empty when it is absent. */
    static String field(MimeEntity root, String name) {
        String raw = root.field(name);
        if (raw == null) {
            return "";
        }
        byte[] octets = raw.getBytes(StandardCharsets.ISO_8859_1);
        return EncodedWords.decode(MimeCharsets.utf8OrLatin(octets, 0, octets.length)).strip();
    }

    /** The file name a part gives (Content-Disposition filename, else Content-Type name), decoded; null if none. */
    static @Nullable String fileName(MimeEntity part) {
        String name = null;
        String disposition = part.field("content-disposition");
        if (disposition != null) {
            MimeHeaderValue value = MimeHeaderValue.disposition(disposition);
            name = value == null ? null : value.decodedParameter("filename");
        }
        if (name == null || name.isBlank()) {
            name = new MimeHeaderValue(part.type(), part.subtype(), part.parameters()).decodedParameter("name");
        }
        if (name == null || name.isBlank()) {
            return null;
        }
        // Raw 8-bit octets and RFC 2047 words inside the parameter (against RFC 2047 §5, but what many mailers write).
        byte[] octets = name.getBytes(StandardCharsets.ISO_8859_1);
        boolean latin = name.chars().allMatch(c -> c < 256);
        String decoded = latin ? MimeCharsets.utf8OrLatin(octets, 0, octets.length) : name;
        return EncodedWords.decode(decoded).strip();
    }

    private static boolean attachment(MimeEntity part) {
        String disposition = part.field("content-disposition");
        String kind = disposition == null ? null : MimeHeaderValue.firstToken(disposition);
        return kind != null && kind.equalsIgnoreCase("attachment");
    }

    private static final class Builder {
        private @Nullable Section html;
        private @Nullable Section text;
        private final List<Attachment> attachments = new ArrayList<>();
        private final Map<String, String> contentIds = new HashMap<>();

        void walk(MimeEntity entity, String number, boolean bodyWanted) {
            if (entity.kind() == MessagePart.Kind.MULTIPART) {
                boolean alternative = entity.subtype().equals("ALTERNATIVE");
                List<MimeEntity> children = entity.children();
                for (int i = 0; i < children.size(); i++) {
                    String child = number.isEmpty() ? String.valueOf(i + 1) : number + "." + (i + 1);
                    // The body is looked for in the first part of a mixed or related multipart, in every alternative.
                    boolean wanted = bodyWanted && html == null && text == null && (alternative || i == 0
                            || entity.subtype().equals("MIXED") && textLeaf(children.get(i)));
                    if (alternative && bodyWanted) {
                        walkAlternative(children.get(i), child);
                    } else {
                        walk(children.get(i), child, wanted);
                    }
                }
                return;
            }
            String section = number.isEmpty() ? "1" : number;
            String contentId = entity.field("content-id");
            if (contentId != null) {
                String id = contentId.strip();
                if (id.startsWith("<") && id.endsWith(">")) {
                    id = id.substring(1, id.length() - 1);
                }
                contentIds.putIfAbsent(id, section);
            }
            if (bodyWanted && !attachment(entity) && entity.type().equals("TEXT")
                    && (entity.subtype().equals("PLAIN") || entity.subtype().equals("HTML"))) {
                if (entity.subtype().equals("HTML")) {
                    html = new Section(section, entity);
                } else {
                    text = new Section(section, entity);
                }
                return;
            }
            String name = fileName(entity);
            String type = (entity.type() + "/" + entity.subtype()).toLowerCase(Locale.ROOT);
            if (name == null) {
                name = entity.type().equals("MESSAGE") && entity.subtype().equals("RFC822") ? "message-" + section
                        + ".eml" : "part-" + section + extension(type);
            }
            attachments.add(new Attachment(section, name, type, entity.end() - entity.bodyStart()));
        }

        /** One alternative: its HTML and its plain text are both kept, so the reader may show either. */
        private void walkAlternative(MimeEntity entity, String number) {
            if (entity.kind() == MessagePart.Kind.MULTIPART) {
                // multipart/related inside an alternative: its root part is the body, the rest inline resources.
                List<MimeEntity> children = entity.children();
                for (int i = 0; i < children.size(); i++) {
                    String child = number + "." + (i + 1);
                    if (i == 0) {
                        walkAlternative(children.get(i), child);
                    } else {
                        walk(children.get(i), child, false);
                    }
                }
                return;
            }
            if (entity.type().equals("TEXT") && entity.subtype().equals("HTML") && html == null) {
                html = new Section(number, entity);
            } else if (entity.type().equals("TEXT") && entity.subtype().equals("PLAIN") && text == null) {
                text = new Section(number, entity);
            } else {
                walk(entity, number, false);
            }
        }

        private static boolean textLeaf(MimeEntity entity) {
            return entity.kind() == MessagePart.Kind.LEAF && entity.type().equals("TEXT") && !attachment(entity);
        }

        private static String extension(String type) {
            return switch (type) {
                case "text/plain" -> ".txt";
                case "text/html" -> ".html";
                case "image/png" -> ".png";
                case "image/jpeg" -> ".jpg";
                case "image/gif" -> ".gif";
                case "application/pdf" -> ".pdf";
                default -> ".bin";
            };
        }
    }
}
