package dev.hato.bench;

import dev.hato.imap.fetch.MessageIndexer;
import dev.hato.store.mail.MessageFacts;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
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
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MessageIndexerBenchmark {

    /** Message size in octets. */
    @Param({"1024", "10240", "102400"})
    public int size;

    private final MessageIndexer indexer = MessageIndexer.withDefaults(Schedulers.immediate());
    private ByteBuffer[] plain = new ByteBuffer[0];
    private ByteBuffer[] japanese = new ByteBuffer[0];

    @Setup
    public void prepare() {
        plain = Messages.slices(Messages.message(size), Messages.STORE_CHUNK);
        japanese = Messages.slices(japaneseMessage(size), Messages.STORE_CHUNK);
        MessageFacts facts = index(japanese);
        if (!facts.headerText().contains("subject: 会議の議事録") || !facts.bodyText().contains("本日の会議")
                || !facts.bodyText().contains("議事録 html")) {
            throw new IllegalStateException("the Japanese message was not indexed as expected");
        }
        if (index(plain).bodyText().isEmpty()) {
            throw new IllegalStateException("the plain message has no body text");
        }
    }

    @Benchmark
    public MessageFacts plain() {
        return index(plain);
    }

    @Benchmark
    public MessageFacts japanese() {
        return index(japanese);
    }

    private MessageFacts index(ByteBuffer[] chunks) {
        return indexer.index(Flux.fromArray(chunks).map(ByteBuffer::duplicate)).block();
    }

    static byte[] japaneseMessage(int size) {
        Charset jis = Charset.forName("ISO-2022-JP");
        StringBuilder text = new StringBuilder();
        while (text.length() * 3 < size) {
            text.append("本日の会議では、来年度の予算と新しいメールシステムへの移行について話し合いました。\r\n");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + 4096);
        out.writeBytes(("From: =?ISO-2022-JP?B?" + Base64.getEncoder().encodeToString("山田太郎".getBytes(jis))
                + "?= <yamada@example.jp>\r\nTo: team@example.jp\r\nSubject: =?ISO-2022-JP?B?"
                + Base64.getEncoder().encodeToString("会議の議事録".getBytes(jis)) + "?=\r\n"
                + "Date: Mon, 2 Feb 2026 10:00:00 +0900\r\nMessage-ID: <m1@example.jp>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\n"
                + "Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: base64\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(Base64.getMimeEncoder().encode(text.toString().getBytes(jis)));
        out.writeBytes(("\r\n--b1\r\nContent-Type: text/html; charset=UTF-8\r\n"
                + "Content-Transfer-Encoding: quoted-printable\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        String html = "<html><body><p>議事録 html</p><p>" + text.substring(0, Math.min(text.length(), size / 12))
                + "</p></body></html>";
        byte[] utf8 = html.getBytes(StandardCharsets.UTF_8);
        StringBuilder qp = new StringBuilder();
        int column = 0;
        for (byte b : utf8) {
            int v = b & 0xFF;
            String piece = v >= 33 && v <= 126 && v != '=' ? String.valueOf((char) v) : String.format("=%02X", v);
            if (column + piece.length() > 73) {
                qp.append("=\r\n");
                column = 0;
            }
            qp.append(piece);
            column += piece.length();
        }
        out.writeBytes(qp.toString().getBytes(StandardCharsets.US_ASCII));
        out.writeBytes("\r\n--b1--\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
