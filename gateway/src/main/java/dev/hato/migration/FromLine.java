package dev.hato.migration;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The date of an mbox {@code From } line: {@code From sender Wed Dec  2 10:00:00 2026}, C's asctime() form as mail
 * delivery agents write it, optionally with a time-zone name before the year or a numeric zone after it
 * ({@code ... 10:00:00 2026 +0900}). Without a numeric zone the time is taken as UTC: the delivery agent wrote its
 * own local time and did not say which, and UTC is the one guess that does not depend on where the import runs.
 */
final class FromLine {

    private static final List<String> MONTHS = List.of("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
            "Oct", "Nov", "Dec");

    // Fixed tokens with bounded repetition: linear on any input, so a hostile From line costs nothing.
    private static final Pattern DATE = Pattern.compile("(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) {1,3}"
            + "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,3}(\\d{1,2}) {1,3}(\\d{1,2}):(\\d{2})(?::(\\d{2}))?"
            + "(?: {1,3}[A-Z]{1,5})? {1,3}(\\d{4})(?: {1,3}([+-])(\\d{2})(\\d{2}))?");

    private FromLine() { }

    /** The date of the {@code From } line, or null when it has none that can be read. */
    static @Nullable Instant date(String line) {
        Matcher m = DATE.matcher(line.length() > 1000 ? line.substring(0, 1000) : line);
        if (!m.find()) {
            return null;
        }
        try {
            ZoneOffset zone = ZoneOffset.UTC;
            if (m.group(7) != null) {
                int hours = Integer.parseInt(m.group(8));
                int minutes = Integer.parseInt(m.group(9));
                zone = m.group(7).equals("-") ? ZoneOffset.ofHoursMinutes(-hours, -minutes)
                        : ZoneOffset.ofHoursMinutes(hours, minutes);
            }
            LocalDateTime time = LocalDateTime.of(Integer.parseInt(m.group(6)), MONTHS.indexOf(m.group(1)) + 1,
                    Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)),
                    m.group(5) == null ? 0 : Integer.parseInt(m.group(5)));
            return time.toInstant(zone);
        } catch (DateTimeException e) {
            return null; // 31 February, hour 25
        }
    }
}
