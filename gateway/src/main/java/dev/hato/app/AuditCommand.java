package dev.hato.app;

import dev.hato.store.audit.AuthEvent;
import java.io.PrintWriter;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hato audit [--auth-id ID] [--since WHEN] [--limit N]}: login attempts from the audit log, newest first, one
 * a line: {@code 2026-11-29T10:15:02Z  pop3  127.0.0.1  abcd.e.fg-x7q2  rejected}.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Show recorded login attempts, newest first: time (UTC), protocol, client address, login as "
                + "typed, result (success, rejected, unavailable, throttled, locked).",
                "Attempts appear a fraction of a second after they were made."})
final class AuditCommand implements Callable<Integer> {

    static final int MAX_LIMIT = 100_000;

    private static final Pattern AGO = Pattern.compile("(\\d{1,9})([mhd])");
    private static final Duration QUERY_TIMEOUT = Duration.ofMinutes(2);

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    StoreOptions store = new StoreOptions();

    @Option(names = "--auth-id", paramLabel = "ID", description = "Only attempts with this login (case ignored).")
    @Nullable String authId;

    @Option(names = "--since", paramLabel = "WHEN", description = "Only attempts since WHEN: a date (2026-11-01, "
            + "midnight UTC), an instant (2026-11-01T08:00:00Z) or a time ago (90m, 24h, 7d).")
    @Nullable String since;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
            description = "Show at most N attempts (default ${DEFAULT-VALUE}).")
    int limit = 100;

    @Override
    public Integer call() {
        // Checked before the store is opened: a typo costs nothing.
        Instant from = since == null ? null : since(since, Instant.now());
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("--limit must be between 1 and " + MAX_LIMIT + ", not " + limit);
        }
        try (CliContext context = store.open()) {
            List<AuthEvent> events = context.store().auditLog().query(authId, from, limit).collectList()
                    .block(QUERY_TIMEOUT);
            PrintWriter out = spec.commandLine().getOut();
            if (events != null) {
                events.forEach(event -> out.println(line(event)));
            }
        }
        return 0;
    }

    /** The start of the period {@code text} names, relative to {@code now} for "90m", "24h", "7d". */
    static Instant since(String text, Instant now) {
        String value = text.trim();
        Matcher ago = AGO.matcher(value);
        try {
            if (ago.matches()) {
                long amount = Long.parseLong(ago.group(1));
                ChronoUnit unit = switch (ago.group(2)) {
                    case "m" -> ChronoUnit.MINUTES;
                    case "h" -> ChronoUnit.HOURS;
                    default -> ChronoUnit.DAYS;
                };
                return now.minus(Duration.of(amount, unit));
            }
            if (value.indexOf('T') < 0) {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeException | ArithmeticException e) {
            throw new IllegalArgumentException("--since takes a date (2026-11-01), an instant (2026-11-01T08:00:00Z) "
                    + "or a time ago (90m, 24h, 7d), not '" + text + "'");
        }
    }

    /** One event as a line; what a client typed is shown with control characters escaped, never interpreted. */
    static String line(AuthEvent event) {
        return event.at().truncatedTo(ChronoUnit.SECONDS) + "  " + printable(event.protocol()) + "  "
                + printable(event.clientIp()) + "  " + printable(event.authId()) + "  " + event.result().code();
    }

    private static String printable(String text) {
        if (text.isEmpty()) {
            return "\"\"";
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean escape = c == '\\' || Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
                    || Character.getType(c) == Character.FORMAT;
            if (escape && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                if (c == '\\') {
                    out.append("\\\\");
                } else if (escape) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }
}
