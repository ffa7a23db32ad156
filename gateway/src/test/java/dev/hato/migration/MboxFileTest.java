package dev.hato.migration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.delivery.MessageSpool;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;

/** How one mbox file is split and what each message keeps, also at the edges: long lines, folded fields. */
class MboxFileTest {

    @TempDir
    Path dir;

    private final List<String> messages = new ArrayList<>();
    private final List<Set<String>> flags = new ArrayList<>();
    private final List<String> refusals = new ArrayList<>();

    @Test
    void aLongFromLineShouldStayOutOfTheMessageAndALongBodyLineShouldBeKeptWhole() throws IOException {
        String sender = "x".repeat(100_000);
        String body = "y".repeat(65_535);
        read("From " + sender + " Wed Dec  2 10:00:00 2026\nSubject: long\n\n" + body + "\r\n" + body + body
                + "\n");

        assertThat(messages).containsExactly("Subject: long\r\n\r\n" + body + "\r\n" + body + body + "\r\n");
    }

    @Test
    void aFoldedPrivateFieldShouldBeReadWhole() throws IOException {
        read("\n\nFrom a Wed Dec  2 10:00:00 2026\nX-Keywords: one,\n two\tthree\nStatus: R\nSubject: s\n"
                + "\tfolded\n\nbody without newline");

        assertThat(messages).containsExactly("Subject: s\r\n\tfolded\r\n\r\nbody without newline");
        assertThat(flags).containsExactly(Set.of("one", "two", "three", "\\Seen"));
    }

    @Test
    void aMessageOverTheLimitShouldBeRefusedAndTheNextOneKept() throws IOException {
        read("From a Wed Dec  2 10:00:00 2026\nSubject: big\n\n" + "z".repeat(5000) + "\n\n"
                + "From b Wed Dec  2 10:00:01 2026\nSubject: small\n\nsmall\n", 1000);

        assertThat(refusals).singleElement().asString().contains("larger than");
        assertThat(messages).containsExactly("Subject: small\r\n\r\nsmall\r\n");
    }

    private void read(String mbox) throws IOException {
        read(mbox, Long.MAX_VALUE);
    }

    private void read(String mbox, long limit) throws IOException {
        Path file = dir.resolve("mbox");
        Files.writeString(file, mbox, StandardCharsets.UTF_8);
        new MboxFile(file, "INBOX").read(new MailFolder.MessageSink() {
            @Override
            public IncomingMessage open(String origin) {
                return new IncomingMessage(origin, limit, new MessageSpool(dir.resolve("spool"), 1 << 20,
                        Schedulers.boundedElastic()));
            }

            @Override
            public void close(IncomingMessage message) {
                MessageSpool spool = message.spool();
                if (message.refusal() != null || spool == null) {
                    refusals.add(message.refusal());
                    return;
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                for (ByteBuffer chunk : spool.finish().block().chunks().collectList().block()) {
                    byte[] bytes = new byte[chunk.remaining()];
                    chunk.get(bytes);
                    out.writeBytes(bytes);
                }
                spool.discard();
                messages.add(out.toString(StandardCharsets.UTF_8));
                flags.add(message.flags());
            }
        });
    }
}
