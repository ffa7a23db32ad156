package dev.hato.bench;

import dev.hato.imap.fetch.MessageIndexer;
import dev.hato.store.mail.MessageFacts;
import java.nio.ByteBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * Parsing one delivered message into its IMAP facts ({@link MessageIndexer#index}): structure, decoded header and
 * body text in search form, RFC 5256 sort fields, as the delivery path does before every commit. {@code plain} is
 * the plain-text test message of {@code size} octets; {@code japanese} is a multipart/alternative message of about
 * {@code size} octets with an ISO-2022-JP subject, a base64 ISO-2022-JP text part and a quoted-printable UTF-8 HTML
 * part. Both arrive in {@value Messages#STORE_CHUNK}-octet chunks, as the spool replays them. The indexer runs on
 * the calling thread ({@code Schedulers.immediate()}) so the figure is the parse, not a thread hop.
 *
 * <p>Not final: JMH generates subclasses of benchmark classes.
 */
public class MessageIndexerBenchmark extends MimeParsingBenchmark {

    private final MessageIndexer indexer = MessageIndexer.withDefaults(Schedulers.immediate());
    private ByteBuffer[] plainChunks = new ByteBuffer[0];
    private ByteBuffer[] japaneseChunks = new ByteBuffer[0];

    @Override
    protected void prepared() {
        plainChunks = Messages.slices(plain, Messages.STORE_CHUNK);
        japaneseChunks = Messages.slices(japanese, Messages.STORE_CHUNK);
        MessageFacts facts = index(japaneseChunks);
        if (!facts.headerText().contains("subject: 会議の議事録") || !facts.bodyText().contains("本日の会議")
                || !facts.bodyText().contains("議事録 html")) {
            throw new IllegalStateException("the Japanese message was not indexed as expected");
        }
        if (index(plainChunks).bodyText().isEmpty()) {
            throw new IllegalStateException("the plain message has no body text");
        }
    }

    @Benchmark
    public MessageFacts plain() {
        return index(plainChunks);
    }

    @Benchmark
    public MessageFacts japanese() {
        return index(japaneseChunks);
    }

    private MessageFacts index(ByteBuffer[] chunks) {
        return indexer.index(Flux.fromArray(chunks).map(ByteBuffer::duplicate)).block();
    }
}
