package dev.hato.inbound;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * RFC 7208 §7 macro expansion of a domain-spec: {@code %{s} %{l} %{o} %{d} %{i} %{p} %{v} %{h}} with the digit and
 * {@code r} transformers and delimiters, {@code %%} {@code %_} {@code %-}. Linear in the input and bounded in its
 * output (a result longer than 253 octets keeps its rightmost labels, §7.3); a syntax error is a {@link
 * SpfException.PermError}. {@code %{c} %{r} %{t}} are only allowed in explanations, which Hato does not fetch.
 */
final class SpfMacro {

    /** What the macros stand for in one check_host() evaluation. */
    record Context(String sender, String localPart, String senderDomain, String domain, String ip, boolean ipv6,
                   String helo) { }

    private static final int MAX_INPUT = 1024;
    private static final int MAX_OUTPUT = 4096;

    private SpfMacro() { }

    static String expand(String spec, Context context) {
        if (spec.length() > MAX_INPUT) {
            throw new SpfException.PermError("domain-spec longer than " + MAX_INPUT + " octets");
        }
        StringBuilder out = new StringBuilder(spec.length() + 32);
        int i = 0;
        while (i < spec.length()) {
            char c = spec.charAt(i);
            if (c != '%') {
                if (c < 0x21 || c > 0x7E) {
                    throw new SpfException.PermError("invalid character in domain-spec");
                }
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 >= spec.length()) {
                throw new SpfException.PermError("'%' at the end of a domain-spec");
            }
            char next = spec.charAt(i + 1);
            switch (next) {
                case '%' -> { out.append('%'); i += 2; }
                case '_' -> { out.append(' '); i += 2; }
                case '-' -> { out.append("%20"); i += 2; }
                case '{' -> {
                    int close = spec.indexOf('}', i + 2);
                    if (close < 0) {
                        throw new SpfException.PermError("unterminated macro");
                    }
                    out.append(macro(spec.substring(i + 2, close), context));
                    i = close + 1;
                }
                default -> throw new SpfException.PermError("invalid macro '%" + next + "'");
            }
            if (out.length() > MAX_OUTPUT) {
                throw new SpfException.PermError("macro expansion too long");
            }
        }
        return out.toString();
    }

    /** One {@code macro-letter transformers *delimiter}. */
    private static String macro(String body, Context context) {
        if (body.isEmpty()) {
            throw new SpfException.PermError("empty macro");
        }
        char letter = body.charAt(0);
        boolean url = Character.isUpperCase(letter);
        String value = switch (Character.toLowerCase(letter)) {
            case 's' -> context.sender();
            case 'l' -> context.localPart();
            case 'o' -> context.senderDomain();
            case 'd' -> context.domain();
            case 'i' -> context.ipv6() ? dotNibbles(context.ip()) : context.ip();
            case 'p' -> "unknown"; // §7.3: SHOULD NOT be used; "unknown" is the value when not validated
            case 'v' -> context.ipv6() ? "ip6" : "in-addr";
            case 'h' -> context.helo();
            default -> throw new SpfException.PermError("invalid macro letter '" + letter + "'");
        };
        int at = 1;
        int digits = 0;
        int count = -1;
        while (at < body.length() && Character.isDigit(body.charAt(at))) {
            if (++digits > 3) {
                throw new SpfException.PermError("macro transformer too long");
            }
            count = (count < 0 ? 0 : count * 10) + (body.charAt(at) - '0');
            at++;
        }
        if (count == 0) {
            throw new SpfException.PermError("macro transformer of zero labels");
        }
        boolean reverse = false;
        if (at < body.length() && (body.charAt(at) == 'r' || body.charAt(at) == 'R')) {
            reverse = true;
            at++;
        }
        String delimiters = body.substring(at);
        for (int i = 0; i < delimiters.length(); i++) {
            if (".-+,/_=".indexOf(delimiters.charAt(i)) < 0) {
                throw new SpfException.PermError("invalid macro delimiter '" + delimiters.charAt(i) + "'");
            }
        }
        if (delimiters.isEmpty()) {
            delimiters = ".";
        }
        List<String> parts = split(value, delimiters);
        if (reverse) {
            java.util.Collections.reverse(parts);
        }
        if (count > 0 && count < parts.size()) {
            parts = parts.subList(parts.size() - count, parts.size());
        }
        String result = String.join(".", parts);
        return url ? urlEscape(result) : result;
    }

    private static List<String> split(String value, String delimiters) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < value.length(); i++) {
            if (delimiters.indexOf(value.charAt(i)) >= 0) {
                parts.add(value.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(value.substring(start));
        return parts;
    }

    /** §7.3: an IPv6 address as dot-separated nibbles, most significant first. */
    static String dotNibbles(String ipv6) {
        byte[] address;
        try {
            address = java.net.InetAddress.getByName(ipv6).getAddress(); // a literal: no lookup
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv6 address: " + ipv6, e);
        }
        StringBuilder out = new StringBuilder(63);
        for (byte b : address) {
            if (!out.isEmpty()) {
                out.append('.');
            }
            out.append(Character.forDigit((b >> 4) & 0xF, 16)).append('.').append(Character.forDigit(b & 0xF, 16));
        }
        return out.toString();
    }

    private static String urlEscape(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", (int) c));
            }
        }
        return out.toString();
    }

    /** The domain a domain-spec names after expansion, cut to its rightmost 253 octets (§7.3); null if empty. */
    static @Nullable String domainName(String expanded) {
        String name = expanded.endsWith(".") ? expanded.substring(0, expanded.length() - 1) : expanded;
        while (name.length() > 253) {
            int dot = name.indexOf('.');
            if (dot < 0) {
                return null;
            }
            name = name.substring(dot + 1);
        }
        return name.isEmpty() ? null : name.toLowerCase(Locale.ROOT);
    }
}
