package dev.hato.dsn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.delivery.MessageSpool;
import dev.hato.dsn.RecipientReport.Action;
import dev.hato.store.mail.MessageContent;
import dev.hato.store.queue.Envelope;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Reports built from real spooled originals, read back with Angus Mail (an independent MIME parser) and
 * {@link InternetHeaders} for the RFC 3464 field groups.
 */
class DeliveryReportsTest {

    private static final Scheduler IO = Schedulers.newBoundedElastic(2, 100, "test-dsn-io");
    private static final Instant NOW = Instant.parse("2026-11-29T10:15:30Z");
    private static final Instant ARRIVAL = Instant.parse("2026-11-28T09:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String ORIGINAL = "From: Ann <ann@example.test>\r\n"
            + "To: bob@remote.example\r\n"
            + "Subject: Lunch\r\n"
            + "Message-ID: <lunch.1@example.test>\r\n"
            + "\r\n"
            + "Shall we meet at noon?\r\n";
    private static final Envelope FULL = new Envelope("ann@example.test", "QQ314159", Envelope.Ret.FULL, false,
            Envelope.Body.SEVEN_BIT);
    private static final RecipientReport BOB_FAILED = new RecipientReport("bob@remote.example",
            "rfc822;Bob@remote.example", Action.FAILED, "5.1.1", "mx.remote.example",
            "smtp; 550 5.1.1 <bob@remote.example>: user unknown", Instant.parse("2026-11-29T10:15:00Z"), null);

    @TempDir
    Path spool;

    @AfterAll
    static void stop() {
        IO.dispose();
    }

    private DeliveryReports reports() {
        return new DeliveryReports("mx.example.test", CLOCK);
    }

    private MessageContent content(byte[] bytes) {
        MessageSpool original = new MessageSpool(spool, 64 * 1024, IO);
        Flux.range(0, (bytes.length + 9999) / 10000)
                .concatMap(i -> Mono.defer(() -> original.append(ByteBuffer.wrap(Arrays.copyOfRange(bytes,
                        i * 10000, Math.min(bytes.length, (i + 1) * 10000))))))
                .then(Mono.defer(original::finish))
                .block();
        return original;
    }

    private static byte[] bytes(MessageContent content) {
        return bytes(content.chunks());
    }

    private static byte[] bytes(Flux<ByteBuffer> chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        chunks.doOnNext(chunk -> {
            byte[] copy = new byte[chunk.remaining()];
            chunk.duplicate().get(copy);
            out.writeBytes(copy);
        }).blockLast();
        return out.toByteArray();
    }

    private byte[] report(DeliveryReports reports, Envelope envelope, List<RecipientReport> recipients,
                          MessageContent original) {
        return report(reports, envelope, recipients, original, DeliveryReports.Origin.AUTHENTICATED);
    }

    private byte[] report(DeliveryReports reports, Envelope envelope, List<RecipientReport> recipients,
                          MessageContent original, DeliveryReports.Origin origin) {
        // Built on a non-blocking thread, as the outbound queue may: BlockHound fails the test on any blocking call.
        byte[] raw = bytes(reports.report(envelope, ARRIVAL, recipients, original, origin)
                .subscribeOn(Schedulers.parallel()));
        assertWellFormedLines(raw);
        return raw;
    }

    /** RFC 5322 §2.1.1 and §2.3 on the report's own lines: CRLF only, at most 998 octets (the original aside). */
    private static void assertWellFormedLines(byte[] raw) {
        int lineStart = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '\n') {
                assertThat(i).as("bare LF at %d", i).isGreaterThan(0);
                assertThat(raw[i - 1]).as("bare LF at %d", i).isEqualTo((byte) '\r');
                assertThat(i - 1 - lineStart).as("line at %d", lineStart).isLessThanOrEqualTo(998);
                lineStart = i + 1;
            }
        }
        assertThat(raw.length).isEqualTo(lineStart); // ends with CRLF
    }

    private static MimeMessage parse(byte[] raw, boolean utf8) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("mail.mime.allowutf8", Boolean.toString(utf8));
        return new MimeMessage(Session.getInstance(properties), new ByteArrayInputStream(raw));
    }

    /** The per-message group, then one group per recipient (RFC 3464 §2.1). */
    private static List<InternetHeaders> statusGroups(BodyPart part, boolean utf8) throws Exception {
        List<InternetHeaders> groups = new ArrayList<>();
        try (InputStream in = part.getInputStream()) {
            byte[] body = in.readAllBytes();
            ByteArrayInputStream stream = new ByteArrayInputStream(body);
            while (stream.available() > 0) {
                InternetHeaders group = new InternetHeaders(stream, utf8);
                if (group.getAllHeaderLines().hasMoreElements()) {
                    groups.add(group);
                }
            }
        }
        return groups;
    }

    private static String field(InternetHeaders group, String name) {
        String value = group.getHeader(name, null);
        assertThat(value).as(name).isNotNull();
        return value;
    }

    private static byte[] partBytes(BodyPart part) throws Exception {
        try (InputStream in = part.getInputStream()) {
            return in.readAllBytes();
        }
    }

    @Test
    void aFailureReportShouldCarryEveryDeliveryStatusFieldAndTheWholeOriginal() throws Exception {
        byte[] raw = report(reports(), FULL, List.of(BOB_FAILED), content(ORIGINAL.getBytes(StandardCharsets.US_ASCII)));
        MimeMessage report = parse(raw, false);

        assertThat(report.getHeader("From", null)).isEqualTo("Mail Delivery System <MAILER-DAEMON@mx.example.test>");
        assertThat(report.getHeader("To", null)).isEqualTo("<ann@example.test>");
        assertThat(report.getSubject()).isEqualTo("Undelivered Mail Returned to Sender");
        assertThat(report.getHeader("Date", null)).isEqualTo("Sun, 29 Nov 2026 10:15:30 +0000");
        assertThat(report.getSentDate().toInstant()).isEqualTo(NOW);
        assertThat(report.getMessageID()).matches("<20261129101530\\.[0-9a-f]{16}@mx\\.example\\.test>");
        assertThat(report.getHeader("MIME-Version", null)).isEqualTo("1.0");
        assertThat(report.getHeader("Auto-Submitted", null)).isEqualTo("auto-replied");
        ContentType type = new ContentType(report.getContentType());
        assertThat(type.getBaseType()).isEqualTo("multipart/report");
        assertThat(type.getParameter("report-type")).isEqualTo("delivery-status");

        Multipart parts = (Multipart) report.getContent();
        assertThat(parts.getCount()).isEqualTo(3);
        BodyPart text = parts.getBodyPart(0);
        assertThat(new ContentType(text.getContentType()).getBaseType()).isEqualTo("text/plain");
        assertThat((String) text.getContent())
                .contains("This is the mail system at mx.example.test.")
                .contains("could not be delivered")
                .contains("The message is attached below.")
                .contains("<bob@remote.example>: delivery failed (status 5.1.1).")
                .contains("The server mx.remote.example said: 550 5.1.1 <bob@remote.example>: user unknown");

        BodyPart status = parts.getBodyPart(1);
        assertThat(new ContentType(status.getContentType()).getBaseType()).isEqualTo("message/delivery-status");
        List<InternetHeaders> groups = statusGroups(status, false);
        assertThat(groups).hasSize(2);
        InternetHeaders perMessage = groups.get(0);
        assertThat(field(perMessage, "Reporting-MTA")).isEqualTo("dns; mx.example.test");
        assertThat(field(perMessage, "Original-Envelope-Id")).isEqualTo("QQ314159");
        assertThat(field(perMessage, "Arrival-Date")).isEqualTo("Sat, 28 Nov 2026 09:00:00 +0000");
        InternetHeaders bob = groups.get(1);
        assertThat(field(bob, "Original-Recipient")).isEqualTo("rfc822;Bob@remote.example");
        assertThat(field(bob, "Final-Recipient")).isEqualTo("rfc822;bob@remote.example");
        assertThat(field(bob, "Action")).isEqualTo("failed");
        assertThat(field(bob, "Status")).isEqualTo("5.1.1");
        assertThat(field(bob, "Remote-MTA")).isEqualTo("dns; mx.remote.example");
        assertThat(field(bob, "Diagnostic-Code")).isEqualTo("smtp; 550 5.1.1 <bob@remote.example>: user unknown");
        assertThat(field(bob, "Last-Attempt-Date")).isEqualTo("Sun, 29 Nov 2026 10:15:00 +0000");
        assertThat(bob.getHeader("Will-Retry-Until")).isNull();

        BodyPart returned = parts.getBodyPart(2);
        assertThat(new ContentType(returned.getContentType()).getBaseType()).isEqualTo("message/rfc822");
        MimeMessage original = (MimeMessage) returned.getContent();
        assertThat(original.getSubject()).isEqualTo("Lunch");
        assertThat(original.getMessageID()).isEqualTo("<lunch.1@example.test>");
        assertThat(partBytes(returned)).isEqualTo(ORIGINAL.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void retHdrsShouldReturnOnlyTheHeaderSection() throws Exception {
        Envelope hdrs = new Envelope("ann@example.test", null, Envelope.Ret.HDRS, false, Envelope.Body.SEVEN_BIT);
        byte[] raw = report(reports(), hdrs, List.of(BOB_FAILED), content(ORIGINAL.getBytes(StandardCharsets.US_ASCII)));
        Multipart parts = (Multipart) parse(raw, false).getContent();

        assertThat((String) parts.getBodyPart(0).getContent()).contains("Its header section is attached below.");
        assertThat(statusGroups(parts.getBodyPart(1), false).get(0).getHeader("Original-Envelope-Id")).isNull();
        BodyPart returned = parts.getBodyPart(2);
        assertThat(new ContentType(returned.getContentType()).getBaseType()).isEqualTo("text/rfc822-headers");
        String headers = new String(partBytes(returned), StandardCharsets.US_ASCII);
        assertThat(headers).isEqualTo(ORIGINAL.substring(0, ORIGINAL.indexOf("\r\n\r\n") + 4));
    }

    @Test
    void anOriginalBiggerThanTheLimitShouldBeReturnedAsItsHeadersWithoutReadingItsBody() throws Exception {
        StringBuilder body = new StringBuilder(ORIGINAL);
        while (body.length() < 3 * 1024 * 1024) {
            body.append("a line of the body that goes on for a while to make the message big enough\r\n");
        }
        MessageContent big = content(body.toString().getBytes(StandardCharsets.US_ASCII));
        AtomicLong read = new AtomicLong();
        MessageContent counted = new MessageContent() {
            @Override
            public byte[] sha256() {
                return big.sha256();
            }

            @Override
            public long size() {
                return big.size();
            }

            @Override
            public Flux<ByteBuffer> chunks() {
                return big.chunks().doOnNext(chunk -> read.addAndGet(chunk.remaining()));
            }
        };
        DeliveryReports small = new DeliveryReports("mx.example.test", CLOCK, 1024 * 1024);

        byte[] raw = report(small, FULL, List.of(BOB_FAILED), counted);

        Multipart parts = (Multipart) parse(raw, false).getContent();
        BodyPart returned = parts.getBodyPart(2);
        assertThat(new ContentType(returned.getContentType()).getBaseType()).isEqualTo("text/rfc822-headers");
        assertThat(new String(partBytes(returned), StandardCharsets.US_ASCII))
                .isEqualTo(ORIGINAL.substring(0, ORIGINAL.indexOf("\r\n\r\n") + 4));
        assertThat(read.get()).as("octets of the original read").isLessThan(big.size() / 2);
    }

    @Test
    void aBigOriginalUnderTheLimitShouldBeReturnedWholeThroughASpoolFile() throws Exception {
        StringBuilder body = new StringBuilder(ORIGINAL);
        for (int i = 0; body.length() < 3 * 1024 * 1024; i++) {
            body.append("line ").append(i).append(" of a message bigger than the report keeps in memory\r\n");
        }
        byte[] originalBytes = body.toString().getBytes(StandardCharsets.US_ASCII);

        byte[] raw = report(reports(), FULL, List.of(BOB_FAILED), content(originalBytes));

        BodyPart returned = ((Multipart) parse(raw, false).getContent()).getBodyPart(2);
        assertThat(new ContentType(returned.getContentType()).getBaseType()).isEqualTo("message/rfc822");
        assertThat(partBytes(returned)).isEqualTo(originalBytes);
    }

    @Test
    void aUtf8OriginalShouldGetTheGlobalTypesOfRfc6533() throws Exception {
        String original = "From: Jürgen <jürgen@example.test>\r\nTo: 李@remote.example\r\nSubject: Grüße\r\n"
                + "\r\nHallo!\r\n";
        Envelope utf8 = new Envelope("jürgen@example.test", null, null, true, Envelope.Body.EIGHT_BIT_MIME);
        RecipientReport li = new RecipientReport("李@remote.example", "utf-8;李@remote.example", Action.FAILED,
                "5.1.1", "mx.remote.example", "smtp; 550 5.1.1 unknown", null, null);

        byte[] raw = report(reports(), utf8, List.of(li), content(original.getBytes(StandardCharsets.UTF_8)));

        MimeMessage report = parse(raw, true);
        assertThat(new ContentType(report.getContentType()).getParameter("report-type"))
                .isEqualTo("global-delivery-status");
        assertThat(report.getHeader("To", null)).isEqualTo("<jürgen@example.test>");
        Multipart parts = (Multipart) report.getContent();
        assertThat(new ContentType(parts.getBodyPart(0).getContentType()).getParameter("charset")).isEqualTo("utf-8");
        assertThat(new String(partBytes(parts.getBodyPart(0)), StandardCharsets.UTF_8))
                .contains("<李@remote.example>: delivery failed");
        BodyPart status = parts.getBodyPart(1);
        assertThat(new ContentType(status.getContentType()).getBaseType())
                .isEqualTo("message/global-delivery-status");
        InternetHeaders recipient = statusGroups(status, true).get(1);
        assertThat(field(recipient, "Final-Recipient")).isEqualTo("utf-8;李@remote.example");
        assertThat(field(recipient, "Original-Recipient")).isEqualTo("utf-8;李@remote.example");
        BodyPart returned = parts.getBodyPart(2);
        assertThat(new ContentType(returned.getContentType()).getBaseType()).isEqualTo("message/global");
        assertThat(returned.getHeader("Content-Transfer-Encoding")[0]).isEqualTo("8bit");
        assertThat(partBytes(returned)).isEqualTo(original.getBytes(StandardCharsets.UTF_8));
        assertThat(DeliveryReports.envelopeFor(utf8))
                .isEqualTo(new Envelope("", null, null, true, Envelope.Body.EIGHT_BIT_MIME));
    }

    @Test
    void aUtf8OriginalReturnedAsHeadersShouldBeMessageGlobalHeaders() throws Exception {
        String original = "From: jürgen@example.test\r\nSubject: Grüße\r\n\r\nHallo!\r\n";
        Envelope utf8 = new Envelope("jürgen@example.test", null, Envelope.Ret.HDRS, true,
                Envelope.Body.EIGHT_BIT_MIME);

        byte[] raw = report(reports(), utf8, List.of(BOB_FAILED), content(original.getBytes(StandardCharsets.UTF_8)));

        BodyPart returned = ((Multipart) parse(raw, true).getContent()).getBodyPart(2);
        assertThat(new ContentType(returned.getContentType()).getBaseType()).isEqualTo("message/global-headers");
        assertThat(new String(partBytes(returned), StandardCharsets.UTF_8))
                .isEqualTo("From: jürgen@example.test\r\nSubject: Grüße\r\n\r\n");
    }

    @Test
    void recipientsWithMixedActionsShouldEachGetTheirGroupAndTheFailureDecidesTheSubject() throws Exception {
        RecipientReport carl = new RecipientReport("carl@slow.example", null, Action.DELAYED, "4.4.1",
                "mx.slow.example", "smtp; 421 4.4.1 try later", Instant.parse("2026-11-29T10:00:00Z"),
                Instant.parse("2026-12-04T09:00:00Z"));
        RecipientReport dora = RecipientReport.delivered("dora@fine.example", "rfc822;dora@fine.example");
        RecipientReport eve = new RecipientReport("eve@list.example", null, Action.EXPANDED, "2.0.0", null, null,
                null, null);

        byte[] raw = report(reports(), FULL, List.of(BOB_FAILED, carl, dora, eve),
                content(ORIGINAL.getBytes(StandardCharsets.US_ASCII)));

        MimeMessage report = parse(raw, false);
        assertThat(report.getSubject()).isEqualTo("Undelivered Mail Returned to Sender");
        Multipart parts = (Multipart) report.getContent();
        String text = (String) parts.getBodyPart(0).getContent();
        assertThat(text).contains("<bob@remote.example>: delivery failed")
                .contains("<carl@slow.example>: delivery delayed (status 4.4.1).")
                .contains("Delivery will be tried until Fri, 4 Dec 2026 09:00:00 +0000.")
                .contains("<dora@fine.example>: delivered.")
                .contains("<eve@list.example>: delivered, and passed on to the members");
        List<InternetHeaders> groups = statusGroups(parts.getBodyPart(1), false);
        assertThat(groups).hasSize(5);
        assertThat(groups.subList(1, 5)).extracting(group -> field(group, "Final-Recipient")).containsExactly(
                "rfc822;bob@remote.example", "rfc822;carl@slow.example", "rfc822;dora@fine.example",
                "rfc822;eve@list.example");
        assertThat(groups.subList(1, 5)).extracting(group -> field(group, "Action"))
                .containsExactly("failed", "delayed", "delivered", "expanded");
        InternetHeaders carlGroup = groups.get(2);
        assertThat(field(carlGroup, "Will-Retry-Until")).isEqualTo("Fri, 4 Dec 2026 09:00:00 +0000");
        assertThat(field(carlGroup, "Diagnostic-Code")).isEqualTo("smtp; 421 4.4.1 try later");
        assertThat(carlGroup.getHeader("Original-Recipient")).isNull();
        assertThat(groups.get(3).getHeader("Remote-MTA")).isNull();
        assertThat(new ContentType(parts.getBodyPart(2).getContentType()).getBaseType()).isEqualTo("message/rfc822");
    }

    @Test
    void aDelayReportShouldReturnOnlyTheHeadersEvenWithRetFull() throws Exception {
        RecipientReport carl = new RecipientReport("carl@slow.example", null, Action.DELAYED, "4.4.1", null, null,
                null, Instant.parse("2026-12-04T09:00:00Z"));

        MimeMessage report = parse(report(reports(), FULL, List.of(carl),
                content(ORIGINAL.getBytes(StandardCharsets.US_ASCII))), false);

        assertThat(report.getSubject()).isEqualTo("Delivery Status Notification (Delay)");
        Multipart parts = (Multipart) report.getContent();
        assertThat((String) parts.getBodyPart(0).getContent()).contains("you do not need to send it again");
        assertThat(new ContentType(parts.getBodyPart(2).getContentType()).getBaseType())
                .isEqualTo("text/rfc822-headers");
    }

    @Test
    void aSuccessReportShouldSaySo() throws Exception {
        MimeMessage report = parse(report(reports(), FULL, List.of(RecipientReport.delivered("dora@fine.example",
                null)), content(ORIGINAL.getBytes(StandardCharsets.US_ASCII))), false);

        assertThat(report.getSubject()).isEqualTo("Delivery Status Notification (Success)");
        InternetHeaders dora = statusGroups(((Multipart) report.getContent()).getBodyPart(1), false).get(1);
        assertThat(field(dora, "Action")).isEqualTo("delivered");
        assertThat(field(dora, "Status")).isEqualTo("2.0.0");
    }

    @Test
    void aSuccessReportAboutMailFromAnUnauthenticatedSenderShouldQuoteNothingOfTheOriginal() throws Exception {
        RecipientReport relayed = new RecipientReport("erin@far.example", null, Action.RELAYED, "2.0.0",
                "mx.far.example", "smtp; 250 2.0.0 ok", null, null);
        for (List<RecipientReport> recipients : List.of(List.of(RecipientReport.delivered("dora@fine.example", null)),
                List.of(relayed))) {
            byte[] raw = report(reports(), FULL, recipients, content(ORIGINAL.getBytes(StandardCharsets.US_ASCII)),
                    DeliveryReports.Origin.UNAUTHENTICATED);

            // RFC 3464 §2: the explanation and the delivery-status part; the third part is optional.
            MimeMessage report = parse(raw, false);
            assertThat(report.getSubject()).isEqualTo("Delivery Status Notification (Success)");
            Multipart parts = (Multipart) report.getContent();
            assertThat(parts.getCount()).isEqualTo(2);
            assertThat(new ContentType(parts.getBodyPart(1).getContentType()).getBaseType())
                    .isEqualTo("message/delivery-status");
            assertThat(new String(raw, StandardCharsets.US_ASCII)).doesNotContain("Lunch").doesNotContain("noon");
        }
    }

    @Test
    void failuresAndDelaysShouldReturnTheOriginalWhoeverSentIt() throws Exception {
        RecipientReport carl = new RecipientReport("carl@slow.example", null, Action.DELAYED, "4.4.1", null, null,
                null, Instant.parse("2026-12-04T09:00:00Z"));
        String failed = new String(report(reports(), FULL, List.of(BOB_FAILED, RecipientReport.delivered(
                        "dora@fine.example", null)), content(ORIGINAL.getBytes(StandardCharsets.US_ASCII)),
                DeliveryReports.Origin.UNAUTHENTICATED), StandardCharsets.US_ASCII);
        String delayed = new String(report(reports(), FULL, List.of(carl),
                content(ORIGINAL.getBytes(StandardCharsets.US_ASCII)), DeliveryReports.Origin.UNAUTHENTICATED),
                StandardCharsets.US_ASCII);

        assertThat(failed).contains("Subject: Lunch").contains("Shall we meet at noon?");
        assertThat(delayed).contains("Subject: Lunch").doesNotContain("noon");
    }

    @Test
    void aHostileRemoteAnswerShouldNeitherInjectFieldsNorMakeLinesTooLong() throws Exception {
        String hostile = "550 5.7.1 no\r\nX-Injected: yes\r\n" + "x".repeat(5000);
        RecipientReport bob = new RecipientReport("bob@remote.example", null, Action.FAILED, "5.7.1",
                "mx.remote.example\r\nX-Other: 1", hostile, null, null);

        byte[] raw = report(reports(), FULL, List.of(bob), content(ORIGINAL.getBytes(StandardCharsets.US_ASCII)));

        String text = new String(raw, StandardCharsets.US_ASCII);
        assertThat(text).doesNotContain("\r\nX-Injected").doesNotContain("\r\nX-Other");
        InternetHeaders group = statusGroups(((Multipart) parse(raw, false).getContent()).getBodyPart(1), false)
                .get(1);
        assertThat(field(group, "Diagnostic-Code")).startsWith("smtp; 550 5.7.1 no  X-Injected: yes  xxx")
                .endsWith("...").hasSizeLessThan(998);
    }

    @Test
    void noReportShouldGoToTheNullSenderNorBeBuiltWithoutRecipients() {
        MessageContent original = content(ORIGINAL.getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> reports().report(Envelope.NONE, ARRIVAL, List.of(BOB_FAILED), original,
                DeliveryReports.Origin.AUTHENTICATED).blockLast())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null reverse-path");
        assertThatThrownBy(() -> reports().report(FULL, ARRIVAL, List.of(), original,
                DeliveryReports.Origin.AUTHENTICATED).blockLast())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one recipient");
    }

    @Test
    void aStatusThatDoesNotFitTheActionShouldBeRefused() {
        assertThatThrownBy(() -> new RecipientReport("a@b.example", null, Action.DELAYED, "5.1.1", null, null, null,
                null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
        assertThatThrownBy(() -> new RecipientReport("a@b.example", null, Action.DELIVERED, "2.1", null, null, null,
                null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RFC 3463");
        assertThatThrownBy(() -> new DeliveryReports("not a host", CLOCK))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static String headerSection(List<byte[]> chunks, long limit) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DeliveryReports.headerSection(Flux.fromIterable(chunks).map(ByteBuffer::wrap), limit)
                .doOnNext(chunk -> {
                    byte[] copy = new byte[chunk.remaining()];
                    chunk.get(copy);
                    out.writeBytes(copy);
                })
                .blockLast();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theHeaderSectionShouldBeFoundWhereverTheChunksAreSplit() {
        byte[] whole = ORIGINAL.getBytes(StandardCharsets.US_ASCII);
        String expected = ORIGINAL.substring(0, ORIGINAL.indexOf("\r\n\r\n") + 4);
        for (int split = 0; split <= whole.length; split++) {
            List<byte[]> chunks = List.of(Arrays.copyOfRange(whole, 0, split),
                    Arrays.copyOfRange(whole, split, whole.length));
            assertThat(headerSection(chunks, 1000)).as("split at %d", split).isEqualTo(expected);
        }
        List<byte[]> bytes = new ArrayList<>();
        for (byte b : whole) {
            bytes.add(new byte[] {b});
        }
        assertThat(headerSection(bytes, 1000)).isEqualTo(expected);
    }

    @Test
    void aHeaderSectionWithoutBodyOrCutAtTheLimitShouldStillEndWithALineBreak() {
        assertThat(headerSection(List.of("Subject: no body".getBytes(StandardCharsets.US_ASCII)), 1000))
                .isEqualTo("Subject: no body\r\n");
        assertThat(headerSection(List.of(ORIGINAL.getBytes(StandardCharsets.US_ASCII)), 20))
                .isEqualTo("From: Ann <ann@examp\r\n");
        assertThat(headerSection(List.of("\r\nbody only\r\n".getBytes(StandardCharsets.US_ASCII)), 1000))
                .isEqualTo("\r\n");
    }

    @Test
    void theWholeReportShouldMatchTheGoldenText() {
        byte[] raw = report(reports(), FULL, List.of(BOB_FAILED), content(ORIGINAL.getBytes(StandardCharsets.US_ASCII)));

        String boundary = "=_hato-report-" + GOLDEN_TOKEN;
        String expected = GOLDEN.replace("\n", "\r\n").replace("@BOUNDARY@", boundary)
                .replace("@ID@", GOLDEN_TOKEN.substring(0, 16));
        assertThat(new String(raw, StandardCharsets.US_ASCII)).isEqualTo(expected);
    }

    /**
     * SHA-256 over the original's SHA-256, "2026-11-29T10:15:30Z", "mx.example.test" and
     * "bob@remote.example\0FAILED\05.1.1\0", first 16 octets in hex (computed independently with Python's hashlib).
     */
    private static final String GOLDEN_TOKEN = "55f3b8f81d1329e87bb08ebbacbd52c2";

    private static final String GOLDEN = """
            From: Mail Delivery System <MAILER-DAEMON@mx.example.test>
            To: <ann@example.test>
            Subject: Undelivered Mail Returned to Sender
            Date: Sun, 29 Nov 2026 10:15:30 +0000
            Message-ID: <20261129101530.@ID@@mx.example.test>
            MIME-Version: 1.0
            Auto-Submitted: auto-replied
            Content-Type: multipart/report; report-type=delivery-status;
            \tboundary="@BOUNDARY@"

            This is a MIME-encapsulated message.

            --@BOUNDARY@
            Content-Description: Notification
            Content-Type: text/plain; charset=us-ascii
            Content-Transfer-Encoding: 7bit

            This is the mail system at mx.example.test.

            Your message could not be delivered to one or more recipients, and the mail system
            has given up. The message is attached below.

            If you need help, write to postmaster@mx.example.test and include this report.

                               The mail system

            <bob@remote.example>: delivery failed (status 5.1.1).
                The server mx.remote.example said: 550 5.1.1 <bob@remote.example>: user unknown

            --@BOUNDARY@
            Content-Description: Delivery report
            Content-Type: message/delivery-status

            Original-Envelope-Id: QQ314159
            Reporting-MTA: dns; mx.example.test
            Arrival-Date: Sat, 28 Nov 2026 09:00:00 +0000

            Original-Recipient: rfc822;Bob@remote.example
            Final-Recipient: rfc822;bob@remote.example
            Action: failed
            Status: 5.1.1
            Remote-MTA: dns; mx.remote.example
            Diagnostic-Code: smtp; 550 5.1.1 <bob@remote.example>: user unknown
            Last-Attempt-Date: Sun, 29 Nov 2026 10:15:00 +0000

            --@BOUNDARY@
            Content-Description: Undelivered Message
            Content-Type: message/rfc822
            Content-Transfer-Encoding: 7bit

            From: Ann <ann@example.test>
            To: bob@remote.example
            Subject: Lunch
            Message-ID: <lunch.1@example.test>

            Shall we meet at noon?

            --@BOUNDARY@--
            """;
}
