package dev.hato.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceHeadersTest {

    private static final ZonedDateTime NOW = ZonedDateTime.of(2026, 11, 29, 10, 0, 0, 0, ZoneOffset.ofHours(9));

    private static String trace(String helo, String ip, List<String> recipients) {
        return new String(TraceHeaders.of("a@remote.test", helo, ip, "mx.example.test", "ESMTPS", "abc", recipients,
                NOW), StandardCharsets.UTF_8);
    }

    @Test
    void traceFieldsShouldFollowRfc5321WithOneRecipient() {
        assertThat(trace("client.remote.test", "192.0.2.7", List.of("b@example.test"))).isEqualTo(
                "Return-Path: <a@remote.test>\r\n"
                        + "Received: from client.remote.test ([192.0.2.7])\r\n"
                        + "\tby mx.example.test (Hato) with ESMTPS id abc\r\n"
                        + "\tfor <b@example.test>; Sun, 29 Nov 2026 10:00:00 +0900\r\n");
    }

    @Test
    void anIpv6ClientShouldGetATaggedAddressLiteral() {
        assertThat(trace("h", "2001:db8::1", List.of("b@example.test"))).contains("from h ([IPv6:2001:db8::1])");
    }

    @Test
    void manyRecipientsShouldShareOneTraceAndAHostileHeloShouldNotInjectHeaders() {
        String trace = trace("evil\r\nX-Injected: yes", "192.0.2.7", List.of("b@example.test", "c@example.test"));
        assertThat(trace).doesNotContain("for <").doesNotContain("\r\nX-Injected").contains("from evilX-Injected:yes (");
    }
}
