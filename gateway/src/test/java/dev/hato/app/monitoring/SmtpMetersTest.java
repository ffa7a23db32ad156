package dev.hato.app.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.maillog.MailEvent;
import dev.hato.maillog.MailLog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading replies and mail-log events into meters; the real conversations are in MonitoringTest. */
class SmtpMetersTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SmtpMeters meters = new SmtpMeters(registry, "smtp");

    private double replies(String code) {
        var counter = registry.find("hato.smtp.replies").tag("code", code).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aMultiLineReplyShouldCountOnceAndEveryFinalLineOfAWrite() {
        meters.countReplies(ByteBuffer.wrap(("250-mail.example.test\r\n250-PIPELINING\r\n250 SMTPUTF8\r\n"
                + "250 2.1.0 Ok\r\n550 5.1.1 No such user\r\n354 End data with <CR><LF>.<CR><LF>\r\n")
                .getBytes(StandardCharsets.US_ASCII)));
        meters.countReplies(ByteBuffer.wrap("221".getBytes(StandardCharsets.US_ASCII)));

        assertThat(replies("250")).isEqualTo(2);
        assertThat(replies("550")).isEqualTo(1);
        assertThat(replies("354")).isEqualTo(1);
        assertThat(replies("221")).isEqualTo(1);
        assertThat(registry.find("hato.smtp.replies").tag("class", "5xx").counter().count()).isEqualTo(1);
    }

    @Test
    void linesThatAreNoReplyCodeShouldNotCount() {
        ByteBuffer bytes = ByteBuffer.wrap("hello\r\n2500 x\r\n199 x\r\n600 x\r\n25\r\n+OK\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        meters.countReplies(bytes);
        assertThat(registry.find("hato.smtp.replies").counters()).isEmpty();
        assertThat(bytes.position()).as("the buffer to write is left as it was").isZero();
    }

    @Test
    void mailLogEventsShouldCountTransactionsSizesAndRefusalsAndStillBeLogged() {
        List<MailEvent> logged = new ArrayList<>();
        MailLog log = meters.observe(logged::add);
        log.record(MailEvent.of(Instant.now(), MailEvent.RECEIVED, "id1", null, "size", 1234L));
        log.record(MailEvent.of(Instant.now(), MailEvent.REJECTED, null, null, "stage", "RCPT", "code", "550"));
        log.record(MailEvent.of(Instant.now(), MailEvent.REJECTED, "id2", null, "stage", "DATA", "code", "552"));
        log.record(MailEvent.of(Instant.now(), MailEvent.REJECTED, "id3", null, "stage", "BDAT", "code", "554"));
        log.record(MailEvent.of(Instant.now(), MailEvent.REJECTED, null, null, "stage", "CONNECT", "code", "421"));
        log.record(MailEvent.of(Instant.now(), MailEvent.DELIVERED, "id1", null));

        assertThat(logged).hasSize(6);
        assertThat(registry.get("hato.smtp.transactions").tag("outcome", "received").counter().count()).isEqualTo(1);
        assertThat(registry.get("hato.smtp.transactions").tag("outcome", "refused").counter().count()).isEqualTo(2);
        assertThat(registry.get("hato.smtp.message.size").summary().totalAmount()).isEqualTo(1234);
        assertThat(registry.get("hato.smtp.rejections").tag("stage", "RCPT").counter().count()).isEqualTo(1);
        assertThat(registry.get("hato.smtp.rejections").tag("stage", "DATA").counter().count()).isEqualTo(1);
        assertThat(registry.get("hato.smtp.rejections").tag("stage", "BDAT").counter().count()).isEqualTo(1);
        assertThat(registry.get("hato.smtp.rejections").tag("stage", "MAIL").counter().count()).isZero();
        assertThat(registry.find("hato.smtp.rejections").tag("stage", "CONNECT").counter())
                .as("refusals at the door are the edge's hato.connections.refused").isNull();
    }

    @Test
    void theWatchedSessionShouldForwardEveryMethodOfASession() throws Exception {
        // A method added to ProtocolSession later (a default one compiles without it) must reach the SMTP session.
        Class<?> watched = meters.watch(new dev.hato.protocol.ProtocolSession() {
            @Override
            public reactor.core.publisher.Flux<dev.hato.protocol.Action> open() {
                return reactor.core.publisher.Flux.empty();
            }

            @Override
            public reactor.core.publisher.Flux<dev.hato.protocol.Action> receive(ByteBuffer input) {
                return reactor.core.publisher.Flux.empty();
            }

            @Override
            public java.time.Duration idleTimeout() {
                return java.time.Duration.ofMinutes(1);
            }

            @Override
            public reactor.core.publisher.Flux<dev.hato.protocol.Action> idle() {
                return reactor.core.publisher.Flux.empty();
            }

            @Override
            public reactor.core.publisher.Flux<dev.hato.protocol.Action> shutdown() {
                return reactor.core.publisher.Flux.empty();
            }

            @Override
            public void closed() { }
        }).getClass();
        for (java.lang.reflect.Method method : dev.hato.protocol.ProtocolSession.class.getMethods()) {
            if (!java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
                assertThat(watched.getDeclaredMethod(method.getName(), method.getParameterTypes()))
                        .as("SmtpMeters forwards %s", method.getName()).isNotNull();
            }
        }
    }
}
