package dev.hato.outbound;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * An MTA-STS policy (RFC 8461 §3.2) as a destination domain publishes it at
 * {@code https://mta-sts.DOMAIN/.well-known/mta-sts.txt}, with the id of the TXT record it was fetched for.
 *
 * @param id     the {@code id} of the {@code _mta-sts} TXT record (§3.1)
 * @param mode   what a sender does when no MX host passes: refuse to deliver ({@code ENFORCE}), deliver and report
 *               ({@code TESTING}), or nothing ({@code NONE})
 * @param mx     the MX host patterns, lower-case ({@code mail.example.org} or {@code *.example.org})
 * @param maxAge how long the policy may be cached (at most 31557600 s, §3.2)
 * @param text   the policy as served, for the TLS reports' {@code policy-string}
 */
public record MtaStsPolicy(String id, Mode mode, List<String> mx, Duration maxAge, String text) {

    /** RFC 8461 §3.2: policies larger than this need not be read. */
    public static final int MAX_SIZE = 64 * 1024;

    private static final long MAX_AGE_LIMIT = 31_557_600;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9]{1,32}");
    /** §3.1: {@code id=…} or an extension, {@code name=value} of the ABNF's characters. */
    private static final Pattern FIELD = Pattern.compile(
            "[A-Za-z0-9][A-Za-z0-9_.-]{0,31}=[\\x21-\\x3A\\x3C\\x3E-\\x7E]+");
    private static final Pattern MX = Pattern.compile(
            "(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    /** The policy modes of RFC 8461 §5. */
    public enum Mode { ENFORCE, TESTING, NONE }

    public MtaStsPolicy {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(mode, "mode");
        mx = List.copyOf(mx);
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(text, "text");
    }

    /**
     * Parses a policy file (§3.2): {@code key: value} lines separated by LF or CRLF; {@code version: STSv1},
     * {@code mode} and {@code max_age} (the first of each counts), {@code mx} once or more (except in mode
     * {@code none}); other keys are ignored. A {@code max_age} above one year counts as one year.
     *
     * @throws IllegalArgumentException saying what is wrong, for a policy that must not be used
     */
    public static MtaStsPolicy parse(String id, String text) {
        String version = null;
        Mode mode = null;
        Long maxAge = null;
        List<String> mx = new ArrayList<>();
        for (String raw : text.split("\n", -1)) {
            String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            if (line.isBlank()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("not a 'key: value' line: " + abbreviate(line));
            }
            String key = line.substring(0, colon);
            String value = line.substring(colon + 1).strip();
            switch (key) {
                // §3.2: of a field that is not mx, only the first occurrence counts.
                case "version" -> version = version == null ? value : version;
                case "mode" -> mode = mode == null ? mode(value) : mode;
                case "max_age" -> maxAge = maxAge == null ? maxAge(value) : maxAge;
                case "mx" -> mx.add(mxPattern(value));
                default -> {
                    // §3.2: unknown fields are ignored
                }
            }
        }
        if (!"STSv1".equals(version)) {
            throw new IllegalArgumentException(version == null ? "no version field" : "version is not STSv1");
        }
        if (mode == null) {
            throw new IllegalArgumentException("no mode field");
        }
        if (maxAge == null) {
            throw new IllegalArgumentException("no max_age field");
        }
        if (mx.isEmpty() && mode != Mode.NONE) {
            throw new IllegalArgumentException("no mx field");
        }
        return new MtaStsPolicy(id, mode, mx, Duration.ofSeconds(Math.min(maxAge, MAX_AGE_LIMIT)), text);
    }

    /**
     * The id of the one {@code v=STSv1} record among the TXT records of {@code _mta-sts.DOMAIN} (§3.1), or null
     * when there is none, more than one, or it is not valid: the domain is then taken not to use MTA-STS.
     */
    public static @Nullable String recordId(List<String> txt) {
        List<String> records = txt.stream().filter(record -> record.startsWith("v=STSv1;")).toList();
        if (records.size() != 1) {
            return null;
        }
        String id = null;
        String[] fields = records.get(0).split(";", -1);
        for (int i = 1; i < fields.length; i++) {
            String field = fields[i].strip();
            if (field.isEmpty() && i == fields.length - 1) {
                break; // the optional trailing delimiter
            }
            if (!FIELD.matcher(field).matches()) {
                return null;
            }
            if (field.startsWith("id=") && id == null) {
                id = field.substring(3); // §3.1: a repeated field's later values are ignored
            }
        }
        return id != null && ID.matcher(id).matches() ? id : null;
    }

    /**
     * Whether the MX host {@code host} is one the policy names (§4.1): equal, ignoring case, or matching a
     * {@code *.} pattern in exactly its leftmost label.
     */
    public boolean permits(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        for (String pattern : mx) {
            if (pattern.startsWith("*.")) {
                int dot = name.indexOf('.');
                if (dot > 0 && name.substring(dot + 1).equals(pattern.substring(2))) {
                    return true;
                }
            } else if (pattern.equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static Mode mode(String value) {
        return switch (value) {
            case "enforce" -> Mode.ENFORCE;
            case "testing" -> Mode.TESTING;
            case "none" -> Mode.NONE;
            default -> throw new IllegalArgumentException("unknown mode " + abbreviate(value));
        };
    }

    private static long maxAge(String value) {
        if (value.isEmpty() || value.length() > 10 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("max_age is not 1 to 10 digits: " + abbreviate(value));
        }
        return Long.parseLong(value);
    }

    private static String mxPattern(String value) {
        String pattern = value.toLowerCase(Locale.ROOT);
        if (pattern.length() > 253 || !MX.matcher(pattern).matches()) {
            throw new IllegalArgumentException("not an MX host pattern: " + abbreviate(value));
        }
        return pattern;
    }

    private static String abbreviate(String value) {
        return value.length() > 40 ? value.substring(0, 40) + "…" : value;
    }
}
