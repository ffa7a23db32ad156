package dev.hato.sieve;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.TextStyle;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The date-parts of RFC 5260 §4.2, written as the RFC (and Pigeonhole) write them. */
final class DatePart {

    /** RFC 5260 §4.2 "julian": the Modified Julian Day, day 0 being 17 November 1858. */
    private static final LocalDate MJD_EPOCH = LocalDate.of(1858, 11, 17);

    private DatePart() { }

    /** The part of {@code time}, or null for a name that is not a date-part (the test is then false). */
    static @Nullable String of(OffsetDateTime time, String part) {
        return switch (part.toLowerCase(Locale.ROOT)) {
            case "year" -> String.format(Locale.ROOT, "%04d", time.getYear());
            case "month" -> two(time.getMonthValue());
            case "day" -> two(time.getDayOfMonth());
            case "date" -> String.format(Locale.ROOT, "%04d-%02d-%02d", time.getYear(), time.getMonthValue(),
                    time.getDayOfMonth());
            case "julian" -> Long.toString(ChronoUnit.DAYS.between(MJD_EPOCH, time.toLocalDate()));
            case "hour" -> two(time.getHour());
            case "minute" -> two(time.getMinute());
            case "second" -> two(time.getSecond());
            case "time" -> String.format(Locale.ROOT, "%02d:%02d:%02d", time.getHour(), time.getMinute(),
                    time.getSecond());
            case "iso8601" -> String.format(Locale.ROOT, "%04d-%02d-%02dT%02d:%02d:%02d%s", time.getYear(),
                    time.getMonthValue(), time.getDayOfMonth(), time.getHour(), time.getMinute(), time.getSecond(),
                    time.getOffset().equals(ZoneOffset.UTC) ? "Z" : time.getOffset().getId());
            case "std11" -> String.format(Locale.ROOT, "%s, %02d %s %04d %02d:%02d:%02d %s",
                    time.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ROOT), time.getDayOfMonth(),
                    time.getMonth().getDisplayName(TextStyle.SHORT, Locale.ROOT), time.getYear(), time.getHour(),
                    time.getMinute(), time.getSecond(), zone(time.getOffset()));
            case "zone" -> zone(time.getOffset());
            case "weekday" -> Integer.toString(time.getDayOfWeek() == DayOfWeek.SUNDAY ? 0
                    : time.getDayOfWeek().getValue());
            default -> null;
        };
    }

    /** "+hhmm" or "-hhmm". */
    static String zone(ZoneOffset offset) {
        int minutes = offset.getTotalSeconds() / 60;
        return String.format(Locale.ROOT, "%s%02d%02d", minutes < 0 ? "-" : "+", Math.abs(minutes) / 60,
                Math.abs(minutes) % 60);
    }

    /** RFC 5260 §4.1 {@code time-zone = ( "+" / "-" ) 4DIGIT}; null when it is not one. */
    static @Nullable ZoneOffset parseZone(String zone) {
        if (zone.length() != 5 || (zone.charAt(0) != '+' && zone.charAt(0) != '-')) {
            return null;
        }
        for (int i = 1; i < 5; i++) {
            if (zone.charAt(i) < '0' || zone.charAt(i) > '9') {
                return null;
            }
        }
        int hours = Integer.parseInt(zone.substring(1, 3));
        int minutes = Integer.parseInt(zone.substring(3, 5));
        if (hours > 18 || minutes > 59 || (hours == 18 && minutes > 0)) {
            return null;
        }
        int sign = zone.charAt(0) == '-' ? -1 : 1;
        return ZoneOffset.ofHoursMinutes(sign * hours, sign * minutes);
    }

    private static String two(int value) {
        return String.format(Locale.ROOT, "%02d", value);
    }
}
