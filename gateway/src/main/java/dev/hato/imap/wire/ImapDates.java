package dev.hato.imap.wire;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** RFC 3501 §9 dates: the date-time of APPEND and the date-text of SEARCH. */
final class ImapDates {

    private static final String[] MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
        "nov", "dec"};

    private ImapDates() {
    }

    /** RFC 3501 §9 date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE. */
    static OffsetDateTime dateTime(String text) {
        if (text.length() != 26 || text.charAt(2) != '-' || text.charAt(6) != '-' || text.charAt(11) != ' '
                || text.charAt(14) != ':' || text.charAt(17) != ':' || text.charAt(20) != ' ') {
            throw new ImapSyntaxError("Invalid date-time");
        }
        int day = digits(text.charAt(0) == ' ' ? "0" + text.charAt(1) : text.substring(0, 2));
        int month = month(text.substring(3, 6));
        int year = digits(text.substring(7, 11));
        int hour = digits(text.substring(12, 14));
        int minute = digits(text.substring(15, 17));
        int second = digits(text.substring(18, 20));
        char sign = text.charAt(21);
        if (sign != '+' && sign != '-') {
            throw new ImapSyntaxError("Invalid zone");
        }
        int zoneHours = digits(text.substring(22, 24));
        int zoneMinutes = digits(text.substring(24, 26));
        int offsetSeconds = (zoneHours * 3600 + zoneMinutes * 60) * (sign == '-' ? -1 : 1);
        return OffsetDateTime.of(LocalDateTime.of(year, month, day, hour, minute, second),
                ZoneOffset.ofTotalSeconds(offsetSeconds));
    }

    /** RFC 3501 §9 date-text = date-day "-" date-month "-" date-year (date-day is 1*2DIGIT). */
    static LocalDate date(String text) {
        String[] parts = text.split("-", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[0].length() > 2 || parts[2].length() != 4) {
            throw new ImapSyntaxError("Invalid date " + text);
        }
        return LocalDate.of(digits(parts[2]), month(parts[1]), digits(parts[0]));
    }

    private static int month(String name) {
        for (int i = 0; i < MONTHS.length; i++) {
            if (MONTHS[i].equalsIgnoreCase(name)) {
                return i + 1;
            }
        }
        throw new ImapSyntaxError("Invalid month " + name);
    }

    private static int digits(String text) {
        if (text.isEmpty()) {
            throw new ImapSyntaxError("Expected digits");
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch < '0' || ch > '9') {
                throw new ImapSyntaxError("Expected digits");
            }
            value = value * 10 + (ch - '0');
        }
        return value;
    }
}
