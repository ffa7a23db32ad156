package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.delivery.MessageSpool;
import dev.hato.imap.fetch.MessageIndexer;
import dev.hato.imap.fetch.MessageStructure;
import dev.hato.message.MessageLimits;
import dev.hato.message.MessagePart;
import dev.hato.store.mail.MessageContent;
import dev.hato.store.mail.MessageFacts;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;

/**
 * A spool that gets its head (Return-Path, Authentication-Results) once the content is complete: its SHA-256, size
 * and chunks are those of head and content together, in memory and spilled to a file, and the facts read as the
 * content streamed describe the message with its head, the same as facts read from the whole message in one pass.
 */
class MessageSpoolHeadTest {

    private static final MessageIndexer INDEXER = MessageIndexer.withDefaults(Schedulers.boundedElastic());

    @TempDir
    Path spoolDirectory;

    @Test
    void aSmallMessageInMemory() throws Exception {
        check("Subject: small\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\none\r\n--b\r\n\r\n"
                + "two\r\n--b--\r\n");
    }

    @Test
    void aLargeMessageSpilledToAFile() throws Exception {
        check("Subject: large\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n"
                + "line of text\r\n".repeat(150_000) + "--b\r\n\r\ntwo\r\n--b--\r\n");
    }

    private void check(String message) throws Exception {
        byte[] head = "Return-Path: <a@example.org>\r\nAuthentication-Results: mx.example.org;\r\n\tspf=pass\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        byte[] content = message.getBytes(StandardCharsets.US_ASCII);
        MessageSpool spool = new MessageSpool(spoolDirectory, 1024 * 1024, Schedulers.boundedElastic(),
                INDEXER.reader(MessageLimits.DEFAULTS, 0)).withHead();
        for (int at = 0; at < content.length; at += 64 * 1024) {
            spool.append(ByteBuffer.wrap(content, at, Math.min(64 * 1024, content.length - at)).slice())
                    .block(Duration.ofSeconds(30));
        }
        spool.prepend(head);
        MessageContent finished = spool.finish().block(Duration.ofSeconds(30));
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        whole.writeBytes(head);
        whole.writeBytes(content);
        byte[] expected = whole.toByteArray();
        assertThat(finished.size()).isEqualTo(expected.length);
        assertThat(finished.sha256()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(expected));
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        finished.chunks().doOnNext(chunk -> {
            byte[] bytes = new byte[chunk.remaining()];
            chunk.get(bytes);
            read.writeBytes(bytes);
        }).blockLast(Duration.ofSeconds(30));
        assertThat(read.toByteArray()).isEqualTo(expected);

        MessageFacts facts = spool.facts();
        var direct = INDEXER.reader(MessageLimits.DEFAULTS, 0);
        direct.feed(ByteBuffer.wrap(expected));
        MessageFacts reference = direct.finish();
        MessagePart moved = MessageStructure.decode(facts.structure()).root();
        MessagePart parsed = MessageStructure.decode(reference.structure()).root();
        assertThat(moved).isEqualTo(parsed);
        assertThat(facts.headerText()).contains("authentication-results: mx.example.org; spf=pass");
        spool.discard();
        assertThat(Files.list(spoolDirectory).count()).isLessThanOrEqualTo(1);
    }
}
