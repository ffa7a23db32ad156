package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.delivery.MessageSpool;
import dev.hato.delivery.StoreStep;
import dev.hato.imap.fetch.FetchOptions;
import dev.hato.imap.fetch.FetchRenderer;
import dev.hato.imap.fetch.MessageIndexer;
import dev.hato.imap.wire.FetchAttribute;
import dev.hato.imap.fetch.MessageStructure;
import dev.hato.imap.fetch.PoisonIndexer;
import dev.hato.imap.fetch.StructureScanner;
import dev.hato.store.mail.Delivery;
import dev.hato.store.mail.DeliveryWriter;
import dev.hato.store.mail.FactsReader;
import dev.hato.store.mail.MessageFacts;
import dev.hato.store.mail.MessageMeta;
import dev.hato.store.queue.Envelope;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

/**
 * Messages are parsed once, in the pass that spools them: a {@link MessageSpool} given the indexer's {@link
 * FactsReader} knows the message's facts when it is finished, the {@link StoreStep} hands them to the real store's
 * delivery writer with the content, and nothing reads the spool again to parse it. A message the parser cannot
 * describe is delivered all the same.
 */
class DeliveryIndexingTest {

    private static final RunningHato HATO = RunningHato.shared();
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static MessageSpool spooled(String message) {
        return spooled(message, null);
    }

    /** {@code message} spooled in 100-octet pieces (past the 64-octet memory limit: spilled to a file). */
    private static MessageSpool spooled(String message, @Nullable FactsReader reader) {
        MessageSpool spool = new MessageSpool(HATO.dataDir().resolve("spool"), 64, Schedulers.boundedElastic(),
                reader);
        byte[] octets = message.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < octets.length; i += 100) {
            spool.append(ByteBuffer.wrap(octets, i, Math.min(100, octets.length - i))).block(WAIT);
        }
        spool.finish().block(WAIT);
        return spool;
    }

    private static void store(MessageSpool spool, DeliveryWriter writer, long account) {
        new StoreStep(writer).store(spool, spool.facts(), List.of(account), Instant.now(), Envelope.NONE, List.of())
                .block(WAIT);
        spool.discard();
    }

    @Test
    void deliveredMessagesReachTheStoreWithTheFactsReadAsTheyWereSpooled() {
        RunningHato.User bob = HATO.newUser("bob");
        List<Delivery> written = new CopyOnWriteArrayList<>();
        DeliveryWriter store = HATO.store().deliveries();
        DeliveryWriter recording = delivery -> {
            written.add(delivery);
            return store.deliver(delivery);
        };
        MessageIndexer indexer = MessageIndexer.withDefaults(Schedulers.boundedElastic());
        String message = "From: Alice <alice@example.org>\r\nSubject: Re: =?UTF-8?B?5Lya6K2w?=\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + "明日の会議について\r\n".repeat(100);
        MessageSpool content = spooled(message, indexer.reader());
        MessageFacts read = indexer.index(content).block(WAIT);

        store(content, recording, bob.accountId());

        MessageFacts facts = written.get(0).facts();
        assertThat(facts).isNotNull();
        assertThat(facts.headerText()).contains("subject: re: 会議");
        assertThat(facts.bodyText()).contains("明日の会議について");
        assertThat(facts.sort().baseSubject()).isEqualTo("会議");
        // the same facts as a parse of the spooled content afterwards would give
        assertThat(facts.structure()).isEqualTo(read.structure());
        assertThat(facts.headerText()).isEqualTo(read.headerText());
        assertThat(facts.bodyText()).isEqualTo(read.bodyText());
        assertThat(facts.sort()).isEqualTo(read.sort());
        List<MessageMeta> inbox = HATO.inbox(bob);
        assertThat(inbox).hasSize(1);
        assertThat(new String(HATO.content(inbox.get(0)), StandardCharsets.UTF_8)).isEqualTo(message);
    }

    @Test
    void aMessageDeliveredOverSmtpHasItsStructureStoredWithItsBlob() throws Exception {
        RunningHato.User dan = HATO.newUser("dan");
        List<String> replies = SmtpLines.send(HATO.port("smtp"), "MAIL FROM:<a@remote.example>",
                "RCPT TO:<" + dan.address() + ">", "DATA",
                "Subject: indexed\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\none\r\n"
                        + "--b\r\nContent-Type: text/html\r\n\r\n<p>two</p>\r\n--b--\r\n.");
        assertThat(replies).last().asString().startsWith("250 2.0.0");

        MessageMeta stored = HATO.inbox(dan).get(0);
        byte[] structure = HATO.store().blobs().structure(stored.blobId()).block(WAIT);

        MessageIndexer indexer = MessageIndexer.withDefaults(Schedulers.boundedElastic());
        assertThat(structure).isEqualTo(indexer.index(HATO.store().blobs().content(stored.blobId()))
                .block(WAIT).structure());
        assertThat(MessageStructure.decode(structure).bodyStructure()).contains("\"MIXED\"").contains("\"HTML\"");
    }

    @Test
    void fetchFromTheStoreBackfillsFactsForAMessageDeliveredWithoutThem() {
        RunningHato.User erin = HATO.newUser("erin");
        String message = "Subject: old mail\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n"
                + "first part\r\n--b\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--b--\r\n";
        // straight to the store's writer: no facts, as for mail delivered before indexing existed
        MessageSpool spool = spooled(message);
        HATO.store().deliveries().deliver(new Delivery(spool, List.of(erin.accountId()), Instant.now())).block(WAIT);
        spool.discard();
        MessageMeta stored = HATO.inbox(erin).get(0);
        assertThat(HATO.store().blobs().structure(stored.blobId()).blockOptional(WAIT)).isEmpty();
        FetchRenderer renderer = new FetchRenderer(HATO.store().blobs(),
                MessageIndexer.withDefaults(Schedulers.boundedElastic()), java.time.ZoneOffset.UTC);
        List<FetchAttribute> attributes = List.of(new FetchAttribute.Body(true,
                new FetchAttribute.Section(List.of(1), null, List.of()), null),
                new FetchAttribute.Binary(true, List.of(2), null));

        String response = renderer.render(1, stored, attributes, FetchOptions.NONE)
                .reduce(new StringBuilder(), (out, chunk) -> out.append(StandardCharsets.ISO_8859_1.decode(chunk)))
                .block(WAIT).toString();

        assertThat(response).isEqualTo("* 1 FETCH (BODY[1] {10}\r\nfirst part BINARY[2] {5}\r\nhello)\r\n");
        assertThat(HATO.store().blobs().structure(stored.blobId()).blockOptional(WAIT)).isPresent();
    }

    @Test
    void aMessageBeyondTheParsersLimitsIsDeliveredWithTheFactsOfOneOpaqueBody() {
        RunningHato.User carol = HATO.newUser("carol");
        List<Delivery> written = new CopyOnWriteArrayList<>();
        DeliveryWriter store = HATO.store().deliveries();
        DeliveryWriter recording = delivery -> {
            written.add(delivery);
            return store.deliver(delivery);
        };
        MessageIndexer twoParts = new MessageIndexer(new StructureScanner(4, 998, 2), Schedulers.boundedElastic(),
                1000, 4);
        String message = "Subject: many parts\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\n\r\none\r\n--b\r\n\r\ntwo\r\n--b\r\n\r\nthree\r\n--b--\r\n";

        store(spooled(message, twoParts.reader()), recording, carol.accountId());

        assertThat(written).hasSize(1);
        // facts all the same, stored once: FETCH and SEARCH never parse the message again to fail on it
        MessageFacts facts = written.get(0).facts();
        assertThat(facts).isNotNull();
        assertThat(MessageStructure.decode(facts.structure()).bodyStructure())
                .startsWith("(\"APPLICATION\" \"OCTET-STREAM\"");
        assertThat(facts.headerText()).contains("subject: many parts");
        // text is indexed from the entities the parser walked before it gave up (the part limit is a poison guard)
        assertThat(facts.bodyText()).contains("one").doesNotContain("three");
        assertThat(HATO.inbox(carol)).hasSize(1);
    }

    @Test
    void aMessageTheParserFailsOnIsDeliveredWithTheFactsOfOneOpaqueBodyAndNeverParsedAgain() {
        RunningHato.User frank = HATO.newUser("frank");
        PoisonIndexer poison = new PoisonIndexer();
        String message = "Subject: poisoned " + System.nanoTime() + "\r\n" + PoisonIndexer.POISON + "\r\n\r\nbody\r\n";

        store(spooled(message, poison.indexer.reader()), HATO.store().deliveries(), frank.accountId());

        MessageMeta stored = HATO.inbox(frank).get(0);
        assertThat(HATO.store().blobs().structure(stored.blobId()).blockOptional(WAIT)).as("stored facts")
                .hasValueSatisfying(structure -> assertThat(MessageStructure.decode(structure).bodyStructure())
                        .isEqualTo("(\"APPLICATION\" \"OCTET-STREAM\" NIL NIL NIL \"7BIT\" 6 NIL NIL NIL NIL)"));
        FetchRenderer renderer = new FetchRenderer(HATO.store().blobs(),
                poison.indexer, java.time.ZoneOffset.UTC);
        List<FetchAttribute> attributes = List.of(new FetchAttribute.Body(true,
                new FetchAttribute.Section(List.of(1), null, List.of()), null));
        String response = renderer.render(1, stored, attributes, FetchOptions.NONE)
                .reduce(new StringBuilder(), (out, chunk) -> out.append(StandardCharsets.ISO_8859_1.decode(chunk)))
                .block(WAIT).toString();
        assertThat(response).isEqualTo("* 1 FETCH (BODY[1] {6}\r\nbody\r\n)\r\n");
        assertThat(poison.failures).as("parses of the poisoned message").hasValue(1);
    }
}
