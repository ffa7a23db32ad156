package dev.hato.message;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
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
