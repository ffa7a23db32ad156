package dev.hato.outbound.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.store.queue.Envelope;
import dev.hato.store.queue.OutboundRecipient.Notify;
import dev.hato.store.queue.OutboundRecipient;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The plain-Java pieces of the SMTP client: reply grouping, EHLO keywords, command parameters, dot-stuffing. */
class ClientCodecTest {

    @Test
    void multiLineRepliesShouldBeGroupedAndEnhancedStatusCodesRead() {
        ReplyParser parser = new ReplyParser(10);

        assertThat(parser.line("250-mx.example greets you")).isNull();
        assertThat(parser.inReply()).isTrue();
        assertThat(parser.line("250-PIPELINING")).isNull();
        SmtpReply ehlo = parser.line("250 DSN");
        SmtpReply refused = parser.line("550 5.1.1 <x@y>: no such user");

        assertThat(ehlo.code()).isEqualTo(250);
        assertThat(ehlo.lines()).containsExactly("mx.example greets you", "PIPELINING", "DSN");
        assertThat(Extensions.of(ehlo).has("PIPELINING")).isTrue();
        assertThat(refused.enhancedStatus()).isEqualTo("5.1.1");
        assertThat(refused.permanentFailure()).isTrue();
        assertThat(parser.line("451 try later").status("0.0")).isEqualTo("4.0.0");
        // An enhanced code of another class than the reply is not believed (RFC 3463 §2).
        assertThat(parser.line("250 5.0.0 odd").enhancedStatus()).isNull();
    }

    @Test
    void malformedOrEndlessRepliesShouldBeProtocolErrors() {
        assertThatThrownBy(() -> new ReplyParser(10).line("hello")).isInstanceOf(SmtpProtocolException.class);
        assertThatThrownBy(() -> new ReplyParser(10).line("250x")).isInstanceOf(SmtpProtocolException.class);
        ReplyParser mixed = new ReplyParser(10);
        mixed.line("250-one");
        assertThatThrownBy(() -> mixed.line("251 two")).isInstanceOf(SmtpProtocolException.class);
        ReplyParser endless = new ReplyParser(3);
        endless.line("250-a");
        endless.line("250-b");
        assertThatThrownBy(() -> endless.line("250-c")).hasMessageContaining("longer than 3 lines");
    }

    @Test
    void extensionsShouldGiveSizeAndAuthMechanisms() {
        Extensions extensions = Extensions.of(new SmtpReply(250, List.of("mx", "SIZE 1000", "auth plain LOGIN",
                "8BITMIME")));

        assertThat(extensions.maxSize()).hasValue(1000);
        assertThat(extensions.authMechanisms()).containsExactlyInAnyOrder("PLAIN", "LOGIN");
        assertThat(Extensions.of(new SmtpReply(250, List.of("mx", "SIZE"))).maxSize()).isEmpty();
        assertThat(Extensions.of(new SmtpReply(250, List.of("mx", "SIZE 0"))).maxSize()).isEmpty();
    }

    @Test
    void dsnParametersShouldBeSentOnlyToAServerThatOffersDsnWithEnvidPassedOnAndOrcptXtextEncoded() {
        Envelope envelope = new Envelope("a@b.example", "id+3D1+2Bx+20y", Envelope.Ret.HDRS, true,
                Envelope.Body.EIGHT_BIT_MIME);
        OutboundRecipient recipient = new OutboundRecipient("c@d.example", Set.of(Notify.DELAY, Notify.FAILURE),
                "rfc822;c=d@e.example");
        Extensions dsn = new Extensions(Map.of("DSN", List.of(), "SIZE", List.of(), "8BITMIME", List.of(),
                "SMTPUTF8", List.of()));

        assertThat(Commands.mailFrom(envelope, 42, dsn))
                .isEqualTo("MAIL FROM:<a@b.example> SIZE=42 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=id+3D1+2Bx+20y\r\n");
        assertThat(Commands.rcptTo(recipient, dsn))
                .isEqualTo("RCPT TO:<c@d.example> NOTIFY=DELAY,FAILURE ORCPT=rfc822;c+3Dd@e.example\r\n");
        assertThat(Commands.mailFrom(envelope, 42, Extensions.NONE)).isEqualTo("MAIL FROM:<a@b.example>\r\n");
        assertThat(Commands.rcptTo(recipient, Extensions.NONE)).isEqualTo("RCPT TO:<c@d.example>\r\n");
        assertThat(Commands.xtext("caf\u00e9")).isEqualTo("caf+C3+A9");
    }

    private static final List<String[]> STUFFING = List.of(
            new String[] {"a\r\nb\r\n", "a\r\nb\r\n.\r\n"},
            new String[] {".starts\r\n", "..starts\r\n.\r\n"},
            new String[] {"x\r\n.\r\ny\r\n", "x\r\n..\r\ny\r\n.\r\n"},
            new String[] {"no final line end", "no final line end\r\n.\r\n"},
            // RFC 5321 §2.3.8: a bare CR or LF never leaves; each becomes CRLF, and a dot after it starts a line.
            new String[] {"bare\n.lf\r\n", "bare\r\n..lf\r\n.\r\n"},
            new String[] {"cr\r.x\r\n", "cr\r\n..x\r\n.\r\n"},
            new String[] {"a\r.\rMAIL FROM:<x@y>\r\n", "a\r\n..\r\nMAIL FROM:<x@y>\r\n.\r\n"},
            new String[] {"a\n.\nb", "a\r\n..\r\nb\r\n.\r\n"},
            new String[] {"a\r\r\nb\n\rc\r\n", "a\r\n\r\nb\r\n\r\nc\r\n.\r\n"},
            new String[] {"ends in cr\r", "ends in cr\r\n.\r\n"},
            new String[] {"\r", "\r\n.\r\n"},
            new String[] {"\n", "\r\n.\r\n"},
            new String[] {"", ".\r\n"},
            new String[] {"\r\n..two\r\n", "\r\n...two\r\n.\r\n"});

    @Test
    void dotStuffingShouldBeTheSameHoweverTheContentIsSplit() {
        for (String[] example : STUFFING) {
            byte[] input = example[0].getBytes(StandardCharsets.US_ASCII);
            // Whole, split at every offset, and one byte at a time (STYLE.md §7).
            assertThat(stuff(List.of(input))).as(example[0]).isEqualTo(example[1]);
            for (int split = 0; split <= input.length; split++) {
                byte[] head = java.util.Arrays.copyOfRange(input, 0, split);
                byte[] tail = java.util.Arrays.copyOfRange(input, split, input.length);
                assertThat(stuff(List.of(head, tail))).as(example[0] + " split at " + split).isEqualTo(example[1]);
            }
            List<byte[]> bytes = new ArrayList<>();
            for (byte b : input) {
                bytes.add(new byte[] {b});
            }
            assertThat(stuff(bytes)).as(example[0] + " byte by byte").isEqualTo(example[1]);
        }
    }

    private static String stuff(List<byte[]> chunks) {
        DotStuffer stuffer = new DotStuffer();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] chunk : chunks) {
            ByteBuffer encoded = stuffer.encode(ByteBuffer.wrap(chunk));
            byte[] copy = new byte[encoded.remaining()];
            encoded.get(copy);
            out.writeBytes(copy);
        }
        ByteBuffer end = stuffer.end();
        out.write(end.array(), end.position(), end.remaining());
        return out.toString(StandardCharsets.US_ASCII);
    }
}
