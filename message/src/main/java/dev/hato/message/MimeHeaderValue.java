package dev.hato.message;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A parsed {@code Content-Type} or {@code Content-Disposition} value (RFC 2045 §5.1, RFC 2183 §2): a leading token
 * (or type/subtype) and its parameters. Parameters are kept as they appear: RFC 2231 continuations and charset
 * prefixes ({@code filename*0*=us-ascii'en'...}) are neither joined nor decoded, which is what RFC 3501 asks for
 * body-fld-param; only the quoting of a quoted-string value is removed.
 */
public record MimeHeaderValue(String primary, @Nullable String subtype, List<Parameter> parameters) {

    /** One attribute/value pair as it appears in the header. */
    public record Parameter(String attribute, String value) {
        public Parameter {
            Objects.requireNonNull(attribute, "attribute");
            Objects.requireNonNull(value, "value");
        }
    }

    public MimeHeaderValue {
        Objects.requireNonNull(primary, "primary");
        parameters = List.copyOf(parameters);
    }

    /** The value of the first parameter named {@code attribute} (ASCII case-insensitive), if any. */
    public @Nullable String parameter(String attribute) {
        for (Parameter parameter : parameters) {
            if (parameter.attribute().equalsIgnoreCase(attribute)) {
                return parameter.value();
            }
        }
        return null;
    }

    /**
     * The parameters with RFC 2231 undone, for showing them (a file name, a title): continuations ({@code name*0},
     * {@code name*1}, ...) joined in order, extended values ({@code name*=charset'lang'%XX}) decoded from their
     * charset (sniffed when it is unknown, as {@link MimeCharsets#sniff}), and an extended parameter preferred over a
     * plain one of the same name. Names lose their {@code *} suffixes; order is that of first appearance. IMAP's
     * BODYSTRUCTURE shows {@link #parameters()} as they are.
     */
    public List<Parameter> decodedParameters() {
        Map<String, String> names = new LinkedHashMap<>();
        Map<String, String> plain = new HashMap<>();
        Map<String, TreeMap<Integer, Parameter>> sections = new HashMap<>();
        for (Parameter parameter : parameters) {
            String attribute = parameter.attribute();
            int star = attribute.indexOf('*');
            String base = star < 0 ? attribute : attribute.substring(0, star);
            String key = base.toLowerCase(Locale.ROOT);
            names.putIfAbsent(key, base);
            if (star < 0) {
                plain.putIfAbsent(key, parameter.value());
                continue;
            }
            String rest = attribute.substring(star + 1);
            boolean encoded = rest.endsWith("*") || rest.isEmpty();
            String digits = rest.endsWith("*") ? rest.substring(0, rest.length() - 1) : rest;
            int index = 0;
            if (!digits.isEmpty()) {
                if (digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
                        || digits.length() > 1 && digits.charAt(0) == '0') {
                    continue; // not RFC 2231: left out
                }
                index = Integer.parseInt(digits);
            }
            sections.computeIfAbsent(key, k -> new TreeMap<>())
                    .putIfAbsent(index, new Parameter(encoded ? "*" : "", parameter.value()));
        }
        List<Parameter> decoded = new ArrayList<>();
        names.forEach((key, base) -> {
            TreeMap<Integer, Parameter> parts = sections.get(key);
            String value = parts == null || !parts.containsKey(0) ? plain.get(key) : joined(parts);
            if (value != null) {
                decoded.add(new Parameter(base, value));
            }
        });
        return decoded;
    }

    /** The decoded value of the first parameter named {@code attribute} (case-insensitive) of {@link #decodedParameters()}. */
    public @Nullable String decodedParameter(String attribute) {
        for (Parameter parameter : decodedParameters()) {
            if (parameter.attribute().equalsIgnoreCase(attribute)) {
                return parameter.value();
            }
        }
        return null;
    }

    /** RFC 2231 §3 and §4: sections 0, 1, ... up to the first gap; the charset is named in section 0 only. */
    private static String joined(TreeMap<Integer, Parameter> parts) {
        Charset charset = null;
        boolean first = true;
        ByteArrayOutputStream octets = new ByteArrayOutputStream();
        int expected = 0;
        for (Map.Entry<Integer, Parameter> entry : parts.entrySet()) {
            if (entry.getKey() != expected++) {
                break;
            }
            String value = entry.getValue().value();
            boolean encoded = entry.getValue().attribute().equals("*");
            if (encoded && first) {
                int quote = value.indexOf('\'');
                int second = quote < 0 ? -1 : value.indexOf('\'', quote + 1);
                if (second > quote) {
                    charset = MimeCharsets.forName(value.substring(0, quote));
                    value = value.substring(second + 1);
                }
            }
            first = false;
            if (encoded) {
                percentDecode(value, octets);
            } else {
                byte[] raw = value.getBytes(StandardCharsets.ISO_8859_1);
                octets.write(raw, 0, raw.length);
            }
        }
        byte[] bytes = octets.toByteArray();
        return new String(bytes, charset != null ? charset : MimeCharsets.sniff(bytes, 0, bytes.length, true));
    }

    private static void percentDecode(String value, ByteArrayOutputStream out) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%' && i + 2 < value.length() && EncodedWords.hex(value.charAt(i + 1)) >= 0
                    && EncodedWords.hex(value.charAt(i + 2)) >= 0) {
                out.write(EncodedWords.hex(value.charAt(i + 1)) * 16 + EncodedWords.hex(value.charAt(i + 2)));
                i += 2;
            } else {
                out.write(c & 0xFF);
            }
        }
    }

    /**
     * Parses {@code type "/" subtype *(";" parameter)} with comments and whitespace allowed between tokens; null when
     * the type or subtype is missing, which RFC 2045 §5.2 says to treat like no Content-Type at all. A malformed
     * parameter ends the list; those before it are kept.
     */
    public static @Nullable MimeHeaderValue contentType(String value) {
        Cursor cursor = new Cursor(value);
        String type = cursor.token();
        if (type == null || !cursor.accept('/')) {
            return null;
        }
        String subtype = cursor.token();
        if (subtype == null) {
            return null;
        }
        return new MimeHeaderValue(type.toUpperCase(Locale.ROOT), subtype.toUpperCase(Locale.ROOT),
                cursor.parameters());
    }

    /** Parses {@code disposition-type *(";" parameter)} (RFC 2183 §2); null without a type. */
    public static @Nullable MimeHeaderValue disposition(String value) {
        Cursor cursor = new Cursor(value);
        String type = cursor.token();
        if (type == null) {
            return null;
        }
        return new MimeHeaderValue(type.toUpperCase(Locale.ROOT), null, cursor.parameters());
    }

    /** The language tags of a {@code Content-Language} value (RFC 3282 §2), comments skipped. */
    public static List<String> languages(String value) {
        Cursor cursor = new Cursor(value);
        List<String> tags = new ArrayList<>();
        while (true) {
            String tag = cursor.token();
            if (tag != null) {
                tags.add(tag);
            }
            if (!cursor.accept(',')) {
                return tags;
            }
        }
    }

    /** The first token of a value, such as a Content-Transfer-Encoding mechanism; null if none. */
    public static @Nullable String firstToken(String value) {
        return new Cursor(value).token();
    }

    private static final class Cursor {
        private static final String TSPECIALS = "()<>@,;:\\\"/[]?=";
        private final String text;
        private int pos;

        Cursor(String text) {
            this.text = text;
        }

        /** Skips whitespace and RFC 822 comments, which may nest. */
        void skipSpace() {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                    pos++;
                } else if (c == '(') {
                    int depth = 0;
                    while (pos < text.length()) {
                        char d = text.charAt(pos++);
                        if (d == '\\') {
                            pos++;
                        } else if (d == '(') {
                            depth++;
                        } else if (d == ')' && --depth == 0) {
                            break;
                        }
                    }
                } else {
                    return;
                }
            }
        }

        boolean accept(char c) {
            skipSpace();
            if (pos < text.length() && text.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        @Nullable String token() {
            skipSpace();
            int start = pos;
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c <= ' ' || c == 0x7F || TSPECIALS.indexOf(c) >= 0) {
                    break;
                }
                pos++;
            }
            return pos > start ? text.substring(start, pos) : null;
        }

        @Nullable String quoted() {
            skipSpace();
            if (pos >= text.length() || text.charAt(pos) != '"') {
                return null;
            }
            StringBuilder value = new StringBuilder();
            pos++;
            while (pos < text.length()) {
                char c = text.charAt(pos++);
                if (c == '"') {
                    return value.toString();
                }
                if (c == '\\' && pos < text.length()) {
                    c = text.charAt(pos++);
                }
                value.append(c);
            }
            return null;
        }

        List<Parameter> parameters() {
            List<Parameter> parameters = new ArrayList<>();
            while (accept(';')) {
                String attribute = token();
                if (attribute == null) {
                    skipSpace();
                    if (pos >= text.length()) {
                        break;
                    }
                    return parameters;
                }
                if (!accept('=')) {
                    return parameters;
                }
                String value = quoted();
                if (value == null) {
                    value = token();
                }
                if (value == null) {
                    return parameters;
                }
                parameters.add(new Parameter(attribute, value));
            }
            return parameters;
        }
    }
}
