package dev.hato.web.setup;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The MTA-STS policy (RFC 8461 §3.2) this server publishes at {@code https://mta-sts.<domain>/.well-known/mta-sts.txt}:
 * which MX host names senders may deliver to with verified TLS, how strictly ({@code enforce}: only those, over TLS
 * with a certificate that names them; {@code testing}: deliver anyway and report; {@code none}: withdraw a policy),
 * and for how long senders may cache it.
 */
public record MtaStsPolicy(Mode mode, List<String> mx, Duration maxAge) {

    /** RFC 8461 §3.2: at most one year. */
    public static final Duration LONGEST = Duration.ofSeconds(31_557_600);
    private static final Pattern MX = Pattern.compile("(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}");

    public enum Mode { NONE, TESTING, ENFORCE }

    public MtaStsPolicy {
        Objects.requireNonNull(mode, "mode");
        mx = List.copyOf(mx);
        if (mx.isEmpty() && mode != Mode.NONE) {
            throw new IllegalArgumentException("an MTA-STS policy names at least one MX host");
        }
        for (String host : mx) {
            if (!MX.matcher(host.toLowerCase(Locale.ROOT)).matches()) {
                throw new IllegalArgumentException("not an MX host name or *.domain pattern: " + host);
            }
        }
        if (maxAge.isNegative() || maxAge.compareTo(LONGEST) > 0) {
            throw new IllegalArgumentException("the MTA-STS max age must be between 0 and " + LONGEST.toDays()
                    + " days");
        }
    }

    /** The policy file: {@code key: value} lines ending in CRLF, as RFC 8461 §3.2 writes them. */
    public String render() {
        StringBuilder text = new StringBuilder("version: STSv1\r\nmode: ")
                .append(mode.name().toLowerCase(Locale.ROOT)).append("\r\n");
        for (String host : mx) {
            text.append("mx: ").append(host.toLowerCase(Locale.ROOT)).append("\r\n");
        }
        return text.append("max_age: ").append(maxAge.toSeconds()).append("\r\n").toString();
    }
}
