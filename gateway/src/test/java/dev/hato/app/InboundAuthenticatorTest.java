package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.inbound.InboundAuthenticator;
import dev.hato.inbound.InboundSettings;
import dev.hato.inbound.InboundVerdict;
import dev.hato.inbound.transport.NettyAuthDns;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the configuration makes of a DMARC verdict: enforce or only record, accept or defer on temperror. */
class InboundAuthenticatorTest {

    private static TestDnsServer dns;
    private static NettyAuthDns resolver;

    @BeforeAll
    static void start() throws Exception {
        dns = new TestDnsServer();
        dns.txt("_dmarc.strict.test", "v=DMARC1; p=reject").txt("strict.test", "v=spf1 -all")
                .txt("_dmarc.slow.test", "v=DMARC1; p=reject").silent("slow.test")
                .txt("_dmarc.relaxed.test", "v=DMARC1; p=none").silent("relaxed.test");
        String[] server = dns.address().split(":");
        resolver = new NettyAuthDns(List.of(new InetSocketAddress(server[0], Integer.parseInt(server[1]))),
                Duration.ofMillis(300), Duration.ZERO, Duration.ZERO);
    }

    @AfterAll
    static void stop() throws Exception {
        resolver.close();
        dns.close();
    }

    private static InboundVerdict verdict(boolean enforce, boolean defer, String domain) {
        InboundAuthenticator authenticator = new InboundAuthenticator(new InboundSettings(true, true, true, true,
                "mx.example.org", enforce, defer, 5, Duration.ofSeconds(3)), resolver, Clock.systemUTC(), 1 << 20);
        InboundAuthenticator.Check check = authenticator.start("192.0.2.1", "client.example", "a@" + domain);
        check.update(ByteBuffer.wrap(("From: a@" + domain + "\r\nSubject: x\r\n\r\nHi.\r\n")
                .getBytes(StandardCharsets.US_ASCII)));
        return check.finish().block(Duration.ofSeconds(20));
    }

    @Test
    void aRejectPolicyRefusesOnlyWhenEnforced() {
        InboundVerdict enforced = verdict(true, false, "strict.test");
        assertThat(enforced.action()).isEqualTo(InboundVerdict.Action.REJECT);
        assertThat(enforced.reply()).startsWith("550 5.7.1");
        InboundVerdict recorded = verdict(false, false, "strict.test");
        assertThat(recorded.action()).isEqualTo(InboundVerdict.Action.ACCEPT);
        assertThat(new String(recorded.field(), StandardCharsets.US_ASCII)).contains("dmarc=fail (p=reject");
    }

    @Test
    void aTemperrorUnderARejectPolicyIsAcceptedOrDeferredAsConfigured() {
        assertThat(verdict(true, false, "slow.test").action()).isEqualTo(InboundVerdict.Action.ACCEPT);
        InboundVerdict deferred = verdict(true, true, "slow.test");
        assertThat(deferred.action()).isEqualTo(InboundVerdict.Action.DEFER);
        assertThat(deferred.reply()).startsWith("451 4.7.0");
        assertThat(new String(deferred.field(), StandardCharsets.US_ASCII)).contains("spf=temperror")
                .contains("dmarc=temperror");
        // p=none: nothing to defer for.
        assertThat(verdict(true, true, "relaxed.test").action()).isEqualTo(InboundVerdict.Action.ACCEPT);
    }
}
