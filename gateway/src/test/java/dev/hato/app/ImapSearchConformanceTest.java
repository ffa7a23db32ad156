package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * SEARCH, SORT and THREAD over real sockets against the running server, on messages stored through APPEND (the real
 * delivery path: parsed by the indexer, facts in the store), checked against what RFC 3501 §6.4.4, RFC 5256 and
 * RFC 5957 say.
 */
class ImapSearchConformanceTest {

    private static final RunningHato HATO = RunningHato.shared();

    private static final DateTimeFormatter IMAP_DATE = DateTimeFormatter.ofPattern("d-MMM-yyyy", Locale.ROOT);

    @Test
    void sentDateKeysShouldCompareTheDateFieldsOwnDayIgnoringTimeAndZone() throws Exception {
        try (SocketTransport imap = mailbox("sent")) {
            // 23:30 at -0700 is the next day in UTC; 00:30 at +0900 the day before: the field's own day counts.
            append(imap, null, message("Date: Tue, 1 Jul 2003 23:30:00 -0700", "one"));
            append(imap, null, message("Date: Wed, 2 Jul 2003 00:30:00 +0900", "two"));
            append(imap, null, message("Date: Wed, 2 Jul 2003 12:00:00 +0000 (UTC)", "three"));
            append(imap, null, message("Date: 3 Jul 03 08:00 EDT", "four"));
            append(imap, null, message("X-No-Date: yes", "five"));
            assertThat(search(imap, "SENTON 1-Jul-2003")).containsExactly(1L);
            assertThat(search(imap, "SENTON 2-Jul-2003")).containsExactly(2L, 3L);
            assertThat(search(imap, "SENTON 3-Jul-2003")).containsExactly(4L);
            assertThat(search(imap, "SENTBEFORE 2-Jul-2003")).containsExactly(1L);
            assertThat(search(imap, "SENTBEFORE 3-Jul-2003")).containsExactly(1L, 2L, 3L);
            assertThat(search(imap, "SENTSINCE 2-Jul-2003")).containsExactly(2L, 3L, 4L);
            assertThat(search(imap, "SENTSINCE 4-Jul-2003")).isEmpty();
            // A message without a Date field has no sent date to compare: NOT is its only way in.
            assertThat(search(imap, "NOT SENTSINCE 1-Jan-1970")).containsExactly(5L);
        }
    }

    @Test
    void internalDateKeysShouldCompareTheDayInternalDateShows() throws Exception {
        try (SocketTransport imap = mailbox("internal")) {
            append(imap, "\"01-Jul-2003 23:30:00 -0700\"", message("Subject: a", "one"));
            append(imap, "\"02-Jul-2003 00:30:00 +0900\"", message("Subject: b", "two"));
            append(imap, "\"02-Jul-2003 12:00:00 +0000\"", message("Subject: c", "three"));
            List<LocalDate> days = internalDays(imap, 3);
            for (int i = 0; i < 3; i++) {
                LocalDate day = days.get(i);
                long sequence = i + 1;
                assertThat(search(imap, "ON " + IMAP_DATE.format(day))).contains(sequence);
                assertThat(search(imap, "ON " + IMAP_DATE.format(day.plusDays(1)))).doesNotContain(sequence);
                assertThat(search(imap, "ON " + IMAP_DATE.format(day.minusDays(1)))).doesNotContain(sequence);
                assertThat(search(imap, "BEFORE " + IMAP_DATE.format(day))).doesNotContain(sequence);
                assertThat(search(imap, "BEFORE " + IMAP_DATE.format(day.plusDays(1)))).contains(sequence);
                assertThat(search(imap, "SINCE " + IMAP_DATE.format(day))).contains(sequence);
                assertThat(search(imap, "SINCE " + IMAP_DATE.format(day.plusDays(1)))).doesNotContain(sequence);
            }
        }
    }

    @Test
    void addressKeysShouldFindSubstringsOfTheDecodedAddressFields() throws Exception {
        try (SocketTransport imap = mailbox("addr")) {
            append(imap, null, message("From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <jm@example.org>", "1"));
            append(imap, null, message("From: \"=?ISO-8859-1?Q?Andr=E9?= Pirard\" <pirard@example.org>", "2"));
            // One UTF-8 character split over two encoded words (RFC 2047 §5 forbids it, senders do it).
            append(imap, null, message("From: x@example.org\nTo: =?UTF-8?B?Wm/D?= =?UTF-8?B?qw==?= <zoe@example.org>",
                    "3"));
            append(imap, null, message("From: x@example.org\nTo: alice@example.org,\n\tbob@example.org\n"
                    + "Cc: Carol\n     Jones <carol@example.org>", "4"));
            append(imap, null, message("From: x@example.org\nBcc: friends: dan@example.org, erin@example.org;", "5"));
            append(imap, null, message("From: frank@example.org (Frank Castle)\nTo: \"john doe\"@example.org", "6"));
            // full-width ＡＢＣ in an encoded word: raw UTF-8 header octets need ENABLE UTF8=ACCEPT (RFC 6855 §4)
            append(imap, null, message("From: =?UTF-8?B?77yh77yi77yj?= Corp <ABC@Example.ORG>", "7"));
            SoftAssertions soft = new SoftAssertions();
            soft.assertThat(searchUtf8(imap, "FROM", "jörg müller")).containsExactly(1L);
            soft.assertThat(searchUtf8(imap, "FROM", "MÜLLER <JM@")).containsExactly(1L);
            soft.assertThat(searchUtf8(imap, "FROM", "andré pirard")).containsExactly(2L);
            soft.assertThat(searchUtf8(imap, "TO", "zoë")).containsExactly(3L);
            soft.assertThat(search(imap, "TO bob@example.org")).containsExactly(4L);
            soft.assertThat(search(imap, "CC \"carol jones\"")).containsExactly(4L);
            soft.assertThat(search(imap, "BCC erin@example.org")).containsExactly(5L);
            soft.assertThat(search(imap, "BCC friends")).containsExactly(5L);
            soft.assertThat(search(imap, "FROM frank@example.org")).containsExactly(6L);
            soft.assertThat(search(imap, "TO \"john doe@example.org\"")).containsExactly(6L);
            soft.assertThat(search(imap, "TO \"\\\"john doe\\\"@example.org\"")).containsExactly(6L);
            soft.assertThat(search(imap, "FROM \"abc corp <abc@example.org>\"")).containsExactly(7L);
            soft.assertThat(search(imap, "FROM EXAMPLE.ORG")).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
            soft.assertThat(search(imap, "TO example.org")).containsExactly(3L, 4L, 6L);
            soft.assertAll();
        }
    }

    @Test
    void sortShouldOrderByCcAndDisplayNamesWithReverseInAnyPosition() throws Exception {
        try (SocketTransport imap = mailbox("sort")) {
            append(imap, null, message("Date: Mon, 1 Jan 2024 10:00:00 +0000\nSubject: b\nFrom: \"Zed\" <a@x.test>\n"
                    + "To: Bob <m@x.test>\nCc: c@x.test", "1"));
            append(imap, null, message("Date: Tue, 2 Jan 2024 10:00:00 +0000\nSubject: Re: a\nFrom: b@x.test\n"
                    + "To: \"alice\" <z@x.test>\nCc: Q <a@x.test>, d@x.test", "2"));
            append(imap, null, message("Date: Wed, 3 Jan 2024 10:00:00 +0000\nSubject: b\n"
                    + "From: =?UTF-8?Q?Amy?= <z@x.test>\nTo: y@x.test", "3"));
            // RFC 5256 §3 CC: the first Cc address's addr-mailbox; no Cc is the empty string, first.
            assertThat(sort(imap, "(CC)")).containsExactly(3L, 2L, 1L);
            assertThat(sort(imap, "(REVERSE CC)")).containsExactly(1L, 2L, 3L);
            // RFC 5957: the display name, or addr-mailbox@addr-host without one; i;ascii-casemap.
            assertThat(sort(imap, "(DISPLAYFROM)")).containsExactly(3L, 2L, 1L);
            assertThat(sort(imap, "(REVERSE DISPLAYFROM)")).containsExactly(1L, 2L, 3L);
            assertThat(sort(imap, "(DISPLAYTO)")).containsExactly(2L, 1L, 3L);
            assertThat(sort(imap, "(REVERSE DISPLAYTO)")).containsExactly(3L, 1L, 2L);
            // REVERSE applies to the criterion it precedes, wherever it stands; ties keep sequence order.
            assertThat(sort(imap, "(SUBJECT REVERSE DATE)")).containsExactly(2L, 3L, 1L);
            assertThat(sort(imap, "(REVERSE SUBJECT DATE)")).containsExactly(1L, 3L, 2L);
            assertThat(sort(imap, "(REVERSE SUBJECT REVERSE DATE)")).containsExactly(3L, 1L, 2L);
            assertThat(sort(imap, "(REVERSE SUBJECT)")).containsExactly(1L, 3L, 2L);
            assertThat(sort(imap, "(REVERSE ARRIVAL)")).containsExactly(3L, 2L, 1L);
        }
    }

    @Test
    void threadReferencesShouldNestRepliesByReferences() throws Exception {
        try (SocketTransport imap = mailbox("thread")) {
            // Distinct subjects: only the references can link these messages (step 5 merges by subject).
            append(imap, null, message(thread("a", "first", "Mon, 1 Jan 2024 10:00:00 +0000", ""), "A"));
            append(imap, null, message(thread("b", "second", "Mon, 1 Jan 2024 11:00:00 +0000",
                    "\nReferences: <a@x.test>"), "B"));
            append(imap, null, message(thread("c", "third", "Mon, 1 Jan 2024 12:00:00 +0000",
                    "\nReferences: <a@x.test>\n <b@x.test>"), "C"));
            assertThat(threads(imap)).isEqualTo("* THREAD (1 2 3)");
        }
        try (SocketTransport imap = mailbox("thread")) {
            append(imap, null, message(thread("a", "first", "Mon, 1 Jan 2024 10:00:00 +0000", ""), "A"));
            append(imap, null, message(thread("b", "second", "Mon, 1 Jan 2024 11:00:00 +0000",
                    "\nIn-Reply-To: <a@x.test>"), "B"));
            append(imap, null, message(thread("c", "third", "Mon, 1 Jan 2024 12:00:00 +0000",
                    "\nIn-Reply-To: <b@x.test> (sent by b)"), "C"));
            append(imap, null, message(thread("d", "fourth", "Mon, 1 Jan 2024 13:00:00 +0000",
                    "\nIn-Reply-To: <a@x.test>"), "D"));
            assertThat(threads(imap)).isEqualTo("* THREAD (1 (2 3)(4))");
        }
        try (SocketTransport imap = mailbox("thread")) {
            // Arriving backwards: C, then B, then A; the links are the same and the dates order the siblings.
            append(imap, null, message(thread("c", "third", "Mon, 1 Jan 2024 12:00:00 +0000",
                    "\nReferences: <a@x.test> <b@x.test>"), "C"));
            append(imap, null, message(thread("b", "second", "Mon, 1 Jan 2024 11:00:00 +0000",
                    "\nReferences: <a@x.test>"), "B"));
            append(imap, null, message(thread("a", "first", "Mon, 1 Jan 2024 10:00:00 +0000", ""), "A"));
            assertThat(threads(imap)).isEqualTo("* THREAD (3 2 1)");
        }
        try (SocketTransport imap = mailbox("thread")) {
            // A is not in the mailbox: B and C still hang together under its dummy, which step 3 replaces by B.
            append(imap, null, message(thread("b", "second", "Mon, 1 Jan 2024 11:00:00 +0000",
                    "\nReferences: <a@x.test>"), "B"));
            append(imap, null, message(thread("c", "third", "Mon, 1 Jan 2024 12:00:00 +0000",
                    "\nReferences: <a@x.test> <b@x.test>"), "C"));
            assertThat(threads(imap)).isEqualTo("* THREAD (1 2)");
        }
        RunningHato.User user = HATO.newUser("smtpthread");
        // Through SMTP, References folded over lines and Message-IDs with comments.
        smtp(user, thread("a", "first", "Mon, 1 Jan 2024 10:00:00 +0000", ""));
        smtp(user, thread("b", "second", "Mon, 1 Jan 2024 11:00:00 +0000", "\nReferences:\n\t<a@x.test> (the first)"));
        smtp(user, thread("c", "third", "Mon, 1 Jan 2024 12:00:00 +0000", "\nReferences: <a@x.test>\n <b@x.test>"));
        try (SocketTransport imap = ImapLines.login(HATO, user)) {
            ImapLines.command(imap, "c1 SELECT INBOX");
            assertThat(threads(imap)).isEqualTo("* THREAD (1 2 3)");
        }
    }

    /** Delivers a message with the given header lines to {@code to} over SMTP, accepted with 250. */
    private static void smtp(RunningHato.User to, String header) throws IOException {
        try (SocketTransport smtp = new SocketTransport(HATO.port("smtp"), false)) {
            smtp.readLine();
            smtp.send(("HELO client.test\r\nMAIL FROM:<t@x.test>\r\nRCPT TO:<" + to.address() + ">\r\nDATA\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 4; i++) {
                smtp.readLine();
            }
            smtp.send((message(header, "body") + ".\r\nQUIT\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(smtp.readLine()).startsWith("250 2.0.0");
        }
    }

    // --- helpers ---------------------------------------------------------------------------------------------

    /** A session of a fresh user (whose {@code prefix} says which test it belongs to) with its INBOX selected. */
    static SocketTransport mailbox(String prefix) throws IOException {
        SocketTransport imap = ImapLines.login(HATO, HATO.newUser(prefix));
        ImapLines.command(imap, "c1 SELECT INBOX");
        return imap;
    }

    /**
     * APPENDs {@code message} to INBOX (selected) with a LITERAL+ literal, {@code date} (a quoted date-time) as its
     * internal date when not null, and waits for the OK.
     */
    static void append(SocketTransport imap, @Nullable String date, String message) throws IOException {
        byte[] octets = message.getBytes(StandardCharsets.UTF_8);
        String tag = "ap";
        imap.send((tag + " APPEND INBOX" + (date == null ? "" : " " + date) + " {" + octets.length + "+}\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        imap.send(octets);
        imap.send("\r\n".getBytes(StandardCharsets.US_ASCII));
        List<String> lines = ImapLines.untilTagged(imap, tag);
        assertThat(lines).last().asString().startsWith(tag + " OK");
    }

    /** A message with the given header lines (CRLF-separated) and body. */
    static String message(String header, String body) {
        return header.replace("\n", "\r\n") + "\r\n\r\n" + body + "\r\n";
    }

    /** The sequence numbers {@code SEARCH criteria} answers, in the order given. */
    static List<Long> search(SocketTransport imap, String criteria) throws IOException {
        return numbers(ImapLines.command(imap, "s SEARCH " + criteria), "* SEARCH");
    }

    /** The sequence numbers {@code SORT criteria UTF-8 ALL} answers, in its order. */
    static List<Long> sort(SocketTransport imap, String criteria) throws IOException {
        return numbers(ImapLines.command(imap, "o SORT " + criteria + " UTF-8 ALL"), "* SORT");
    }

    /** The {@code * THREAD} line of {@code THREAD REFERENCES UTF-8 ALL}. */
    static String threads(SocketTransport imap) throws IOException {
        return ImapLines.command(imap, "t THREAD REFERENCES UTF-8 ALL").stream()
                .filter(line -> line.startsWith("* THREAD")).findFirst().orElseThrow();
    }

    /** Header lines of a message {@code <id@x.test>} with the given subject, date and extra lines. */
    static String thread(String id, String subject, String date, String extra) {
        return "From: t@x.test\nMessage-ID: <" + id + "@x.test>\nSubject: " + subject + "\nDate: " + date + extra;
    }

    /** {@code SEARCH CHARSET UTF-8 <key> <value>} with the value as a LITERAL+ literal. */
    static List<Long> searchUtf8(SocketTransport imap, String key, String value) throws IOException {
        byte[] octets = value.getBytes(StandardCharsets.UTF_8);
        imap.send(("u SEARCH CHARSET UTF-8 " + key + " {" + octets.length + "+}\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        imap.send(octets);
        imap.send("\r\n".getBytes(StandardCharsets.US_ASCII));
        List<String> lines = ImapLines.untilTagged(imap, "u");
        assertThat(lines).last().asString().startsWith("u OK");
        return numbers(lines, "* SEARCH");
    }

    private static List<Long> numbers(List<String> lines, String prefix) {
        for (String line : lines) {
            if (line.startsWith(prefix)) {
                String rest = line.substring(prefix.length()).strip();
                return rest.isEmpty() ? List.of()
                        : java.util.Arrays.stream(rest.split(" ")).map(Long::parseLong).toList();
            }
        }
        throw new AssertionError("no " + prefix + " line in " + lines);
    }

    private static final Pattern INTERNALDATE = Pattern.compile(
            "\\* (\\d+) FETCH \\(INTERNALDATE \"\\s?(\\d{1,2}-[A-Za-z]{3}-\\d{4}) ");

    /** The day each of the first {@code n} messages' INTERNALDATE shows. */
    private static List<LocalDate> internalDays(SocketTransport imap, int n) throws IOException {
        LocalDate[] days = new LocalDate[n];
        for (String line : ImapLines.command(imap, "f FETCH 1:" + n + " INTERNALDATE")) {
            Matcher matcher = INTERNALDATE.matcher(line);
            if (matcher.find()) {
                days[Integer.parseInt(matcher.group(1)) - 1] = LocalDate.parse(matcher.group(2), IMAP_DATE);
            }
        }
        return List.of(days);
    }
}
