package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.delivery.MessageSpool;
import dev.hato.imap.fetch.MessageStructure;
import dev.hato.store.mail.Delivery;
import dev.hato.store.mail.MessageContent;
import dev.hato.store.mail.MessageMeta;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

/**
 * Messages stored before the door's limits (here: straight into the store, without facts, as the delivery path did
 * when the parser gave up on them) are served per message: FETCH of a range returns every message, the ones the
 * parser cannot describe whole as one opaque body with the ENVELOPE of what their header holds; their degraded facts
 * are stored at the first FETCH, so no later FETCH or SEARCH parses them again.
 */
class PoisonMessageFetchTest {

    private static final RunningHato HATO = RunningHato.shared();
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static MessageContent spooled(String message) {
        MessageSpool spool = new MessageSpool(HATO.dataDir().resolve("spool"), 64 * 1024, Schedulers.boundedElastic());
        byte[] octets = message.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < octets.length; i += 64 * 1024) {
            spool.append(ByteBuffer.wrap(octets, i, Math.min(64 * 1024, octets.length - i))).block(WAIT);
        }
        return spool.finish().block(WAIT);
    }

    private static void store(RunningHato.User to, String message) {
        HATO.store().deliveries().deliver(new Delivery(spooled(message), List.of(to.accountId()), Instant.now()))
                .block(WAIT);
    }

    @Test
    void fetchOfARangeShouldServeEveryMessageAndPoisonMessagesOnlyOnce() throws Exception {
        RunningHato.User bob = HATO.newUser("bob");
        store(bob, "Subject: first\r\n\r\nhello\r\n");
        store(bob, "Subject: parts\r\nFrom: Mallory <m@evil.test>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\n\r\nx\r\n".repeat(10_001) + "--b--\r\n");
        store(bob, "Subject: folded\r\n" + " ff\r\n".repeat(100_000) + "From: m@evil.test\r\n\r\nbody\r\n");
        String longLine = "Content-Type: text/plain; x=\"" + "h".repeat(1_500_000) + "\"";
        store(bob, "Subject: long part line\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" + longLine
                + "\r\n\r\npart body\r\n--b--\r\n");
        store(bob, "Subject: huge header\r\n" + "X-F: 1\r\n".repeat(600_000) + "\r\nbody\r\n");
        store(bob, "Subject: last\r\n\r\nbye\r\n");

        try (SocketTransport imap = ImapLines.login(HATO, bob)) {
            ImapLines.command(imap, "s1 SELECT INBOX");

            List<String> listed = ImapLines.command(imap, "f1 FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE)");
            for (int n = 1; n <= 6; n++) {
                String prefix = "* " + n + " FETCH (";
                assertThat(listed).as("message " + n).anyMatch(line -> line.startsWith(prefix));
            }
            assertThat(listed).anyMatch(line -> line.startsWith("* 2 FETCH (") && line.contains("\"parts\"")
                    && line.contains("(\"Mallory\" NIL \"m\" \"evil.test\")")
                    && line.contains("BODYSTRUCTURE (\"APPLICATION\" \"OCTET-STREAM\""));
            // the Subject folded to 300 KB is too long to keep: NIL, and the From after it is still read
            assertThat(listed).anyMatch(line -> line.startsWith("* 3 FETCH (")
                    && line.contains("ENVELOPE (NIL NIL ((NIL NIL \"m\" \"evil.test\"))"));

            // every message now has its facts stored: nothing is parsed again
            for (MessageMeta message : HATO.inbox(bob)) {
                assertThat(HATO.store().mailboxes().structure(message.blobId()).blockOptional(WAIT))
                        .as("uid " + message.uid()).isPresent();
            }
            MessageMeta parts = HATO.inbox(bob).get(1);
            assertThat(MessageStructure.decode(HATO.store().mailboxes().structure(parts.blobId()).block(WAIT))
                    .root().children()).isEmpty();

            List<String> mime = ImapLines.command(imap, "f2 FETCH 4 (BODY.PEEK[1.MIME])");
            assertThat(mime.get(0)).isEqualTo("* 4 FETCH (BODY[1.MIME] {" + (longLine.length() + 4) + "}");
            assertThat(mime.get(1)).isEqualTo(longLine);

            List<String> fields = ImapLines.command(imap,
                    "f3 FETCH 2,5 (BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[1])");
            assertThat(fields).anyMatch(line -> line.startsWith("* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {"));
            assertThat(fields).anyMatch(line -> line.startsWith("* 5 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {"));
            // of a header beyond what FETCH holds to filter, what its first 4 MiB hold
            assertThat(fields).contains("Subject: parts", "Subject: huge header");

            assertThat(ImapLines.command(imap, "s2 SEARCH SUBJECT last")).contains("* SEARCH 6");
            assertThat(ImapLines.command(imap, "s3 SEARCH SUBJECT parts")).contains("* SEARCH 2");
        }
    }
}
