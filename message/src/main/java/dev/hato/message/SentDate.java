package dev.hato.message;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Reads a Date field (RFC 5322 §3.3) for RFC 5256 §2.2 sorting and RFC 3501 §6.4.4 SENT* searching, including the
 * obsolete forms of §4.3 that old mail carries: comments and folding anywhere, two- and three-digit years, missing
 * seconds, and alphabetic zones (the military ones mean -0000, "unknown", per §4.3). Null when it is not a date,
 * which makes SORT use the internal date and SENT* match nothing.
 */
public final class SentDate {

    private static final List<String> MONTHS = List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
            "oct", "nov", "dec");

    private SentDate() {
    }

    /** The instant the field names (SORT DATE compares these), or null when it is not a date. */
    public static @Nullable Instant parse(@Nullable String value) {
        OffsetDateTime written = written(value);
        return written == null ? null : written.toInstant();
    }

    /**
     * The day the field names in its own zone, as written: RFC 3501 §6.4.4 SENTBEFORE, SENTON and SENTSINCE compare
     * it "disregarding time and timezone", so {@code Tue, 1 Jul 2003 23:30:00 -0700} is 1 July although it is 2 July
     * in UTC. Null when the field is not a date.
     */
    public static @Nullable LocalDate day(@Nullable String value) {
        OffsetDateTime written = written(value);
        return written == null ? null : written.toLocalDate();
    }

    /**
     * The date and time with the zone the field gives (UTC when it gives none), or null when it is not a date: what
     * Sieve's date test reads (RFC 5260 §4).
     */
    public static @Nullable OffsetDateTime written(@Nullable String value) {
        if (value == null) {
            return null;
        }
        List<String> tokens = tokens(value);
        int i = 0;
        if (i < tokens.size() && isDayName(tokens.get(i))) {
            i++;
        }
        if (tokens.size() - i < 4) {
            return null;
        }
        try {
            int day = Integer.parseInt(tokens.get(i++));
            String monthName = tokens.get(i++).toLowerCase(Locale.ROOT);
            int month = monthName.length() >= 3 ? MONTHS.indexOf(monthName.substring(0, 3)) + 1 : 0;
            if (month == 0) {
                return null;
            }
            String yearText = tokens.get(i++);
            int year = Integer.parseInt(yearText);
            // RFC 5322 §4.3: two-digit years below 50 are 20xx, others and three-digit ones count from 1900
            if (yearText.length() == 2) {
                year += year < 50 ? 2000 : 1900;
            } else if (yearText.length() == 3) {
                year += 1900;
            }
            String[] time = tokens.get(i++).split(":");
            if (time.length < 2 || time.length > 3) {
                return null;
            }
            int hour = Integer.parseInt(time[0]);
            int minute = Integer.parseInt(time[1]);
            int second = time.length == 3 ? Integer.parseInt(time[2]) : 0;
            if (second == 60) {
                second = 59; // a leap second sorts with the second before it
            }
            ZoneOffset zone = i < tokens.size() ? zone(tokens.get(i)) : ZoneOffset.UTC;
            if (zone == null) {
                return null;
            }
            return OffsetDateTime.of(LocalDateTime.of(year, month, day, hour, minute, second), zone);
        } catch (NumberFormatException | DateTimeException e) {
            return null;
        }
    }

    private static boolean isDayName(String token) {
        return token.length() >= 3 && !Character.isDigit(token.charAt(0));
    }

    private static @Nullable ZoneOffset zone(String token) {
        char sign = token.charAt(0);
        if ((sign == '+' || sign == '-') && token.length() == 5) {
            int hours = Integer.parseInt(token.substring(1, 3));
            int minutes = Integer.parseInt(token.substring(3, 5));
            if (hours > 18 || minutes > 59) {
                return null;
            }
            int seconds = (hours * 60 + minutes) * 60;
            return ZoneOffset.ofTotalSeconds(sign == '-' ? -seconds : seconds);
        }
        return switch (token.toUpperCase(Locale.ROOT)) {
            case "UT", "GMT", "Z" -> ZoneOffset.UTC;
            case "EDT" -> ZoneOffset.ofHours(-4);
            case "EST", "CDT" -> ZoneOffset.ofHours(-5);
            case "CST", "MDT" -> ZoneOffset.ofHours(-6);
            case "MST", "PDT" -> ZoneOffset.ofHours(-7);
            case "PST" -> ZoneOffset.ofHours(-8);
            default -> token.chars().allMatch(Character::isLetter) ? ZoneOffset.UTC : null;
        };
    }

    /** Words of the value with comments removed; commas and white space separate them. */
    private static List<String> tokens(String value) {
        List<String> tokens = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        int comment = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (comment > 0) {
                if (c == '\\') {
                    i++;
                } else if (c == '(') {
                    comment++;
                } else if (c == ')') {
                    comment--;
                }
                continue;
            }
            if (c == '(' || c == ',' || Character.isWhitespace(c)) {
                if (!word.isEmpty()) {
                    tokens.add(word.toString());
                    word.setLength(0);
                }
                if (c == '(') {
                    comment = 1;
                }
            } else {
                word.append(c);
            }
        }
        if (!word.isEmpty()) {
            tokens.add(word.toString());
        }
        return tokens;
    }
}
