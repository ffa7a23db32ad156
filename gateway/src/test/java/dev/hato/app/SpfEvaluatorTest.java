package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.inbound.SpfEvaluator;
import dev.hato.inbound.SpfResult;
import dev.hato.inbound.transport.NettyAuthDns;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 7208 check_host() against records served by a loopback DNS server through the same Netty resolver the server
 * uses: every mechanism, redirect and include, the macros of §7, the lookup and void-lookup limits (§4.6.4), and DNS
 * failures giving temperror.
 */
class SpfEvaluatorTest {

    private static TestDnsServer dns;
    private static NettyAuthDns resolver;
    private static SpfEvaluator spf;

    @BeforeAll
    static void start() throws Exception {
        dns = new TestDnsServer();
        dns.txt("ip.test", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all")
                .txt("a.test", "v=spf1 a a:other.a.test/24 -all").a("a.test", "192.0.2.10")
                .a("other.a.test", "198.51.100.20")
                .txt("mx.test", "v=spf1 mx -all").mx("mx.test", new dev.hato.outbound.MxRecord(10, "mail.mx.test"))
                .a("mail.mx.test", "192.0.2.30")
                .txt("include.test", "v=spf1 include:ip.test ~all")
                .txt("redirect.test", "v=spf1 redirect=ip.test")
                .txt("redirect-none.test", "v=spf1 redirect=nothing-here.test")
                .txt("exists.test", "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all")
                .a("1.2.0.192.alice._spf.exists.test", "127.0.0.2")
                .txt("macro.test", "v=spf1 exists:%{l}.%{o}.lo.test -all")
                .a("bob.macro.test.lo.test", "127.0.0.2")
                .txt("helo.test", "v=spf1 exists:%{h}.h.test -all").a("mx.helo.test.h.test", "127.0.0.2")
                .txt("ip6.test", "v=spf1 exists:%{i}.six.test -all")
                .a("2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.six.test", "127.0.0.2")
                .txt("neutral.test", "v=spf1 ?all")
                .txt("two.test", "v=spf1 -all", "v=spf1 +all")
                .txt("bad.test", "v=spf1 ip4:300.1.1.1 -all")
                .txt("unknown.test", "v=spf1 foo:bar -all")
                .txt("modifier.test", "v=spf1 foo=bar ip4:192.0.2.1 -all")
                .txt("loop.test", "v=spf1 include:loop.test -all")
                .txt("voids.test", "v=spf1 a:n1.voids.test a:n2.voids.test a:n3.voids.test +all")
                .txt("broken.test", "v=spf1 include:servfail.test -all").servfail("servfail.test")
                .silent("silent.test");
        StringBuilder many = new StringBuilder("v=spf1");
        for (int i = 0; i < 11; i++) {
            many.append(" a:h").append(i).append(".many.test");
            dns.a("h" + i + ".many.test", "198.51.100.1");
        }
        dns.txt("many.test", many + " -all");
        StringBuilder ten = new StringBuilder("v=spf1");
        for (int i = 0; i < 9; i++) {
            ten.append(" a:h").append(i).append(".many.test");
        }
        dns.txt("ten.test", ten + " include:ip.test -all");
        String[] server = dns.address().split(":");
        resolver = new NettyAuthDns(List.of(new InetSocketAddress(server[0], Integer.parseInt(server[1]))),
                Duration.ofMillis(500), Duration.ZERO, Duration.ZERO);
        spf = new SpfEvaluator(resolver, Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() throws Exception {
        resolver.close();
        dns.close();
    }

    private static SpfResult.Result check(String ip, String sender) {
        return spf.check(ip, "mx.helo.test", sender).block(Duration.ofSeconds(10)).result();
    }

    @Test
    void ip4AndIp6WithPrefixes() {
        assertThat(check("192.0.2.200", "a@ip.test")).isEqualTo(SpfResult.Result.PASS);
        assertThat(check("192.0.3.1", "a@ip.test")).isEqualTo(SpfResult.Result.FAIL);
        assertThat(check("2001:db8:ffff::1", "a@ip.test")).isEqualTo(SpfResult.Result.PASS);
        assertThat(check("2001:db9::1", "a@ip.test")).isEqualTo(SpfResult.Result.FAIL);
    }

    @Test
    void aAndMxMechanisms() {
        assertThat(check("192.0.2.10", "a@a.test")).isEqualTo(SpfResult.Result.PASS);
        assertThat(check("198.51.100.77", "a@a.test")).isEqualTo(SpfResult.Result.PASS); // a:other/24
        assertThat(check("198.51.101.1", "a@a.test")).isEqualTo(SpfResult.Result.FAIL);
        assertThat(check("192.0.2.30", "a@mx.test")).isEqualTo(SpfResult.Result.PASS);
        assertThat(check("192.0.2.31", "a@mx.test")).isEqualTo(SpfResult.Result.FAIL);
    }

    @Test
    void includeAndRedirect() {
        assertThat(check("192.0.2.1", "a@include.test")).isEqualTo(SpfResult.Result.PASS);
        assertThat(check("203.0.113.1", "a@include.test")).isEqualTo(SpfResult.Result.SOFTFAIL);
        assertThat(check("192.0.2.1", "a@redirect.test")).isEqualTo(SpfResult.Result.PASS);
        assertThat(check("203.0.113.1", "a@redirect.test")).isEqualTo(SpfResult.Result.FAIL);
        assertThat(check("192.0.2.1", "a@redirect-none.test")).isEqualTo(SpfResult.Result.PERMERROR);
        assertThat(check("192.0.2.1", "a@loop.test")).isEqualTo(SpfResult.Result.PERMERROR);
    }

    @Test
    void existsWithMacros() {
        // %{ir}.%{l1r+-}._spf.%{d}: 1.2.0.192.alice._spf.exists.test for alice-x@ from 192.0.2.1
        assertThat(check("192.0.2.1", "alice-x@exists.test")).isEqualTo(SpfResult.Result.PASS);
        assertThat(check("192.0.2.2", "alice-x@exists.test")).isEqualTo(SpfResult.Result.FAIL);
        assertThat(check("10.0.0.1", "bob@macro.test")).isEqualTo(SpfResult.Result.PASS); // %{l}.%{o}
        assertThat(check("10.0.0.1", "ann@macro.test")).isEqualTo(SpfResult.Result.FAIL);
        assertThat(check("10.0.0.1", "")).isEqualTo(SpfResult.Result.NONE); // postmaster@mx.helo.test: no record
        assertThat(spf.check("10.0.0.1", "mx.helo.test", "x@helo.test").block(Duration.ofSeconds(10)).result())
                .isEqualTo(SpfResult.Result.PASS); // %{h}
        assertThat(check("2001:db8::1", "a@ip6.test")).isEqualTo(SpfResult.Result.PASS); // %{i} as nibbles
    }

    @Test
    void resultsOfRecordsAndTheirErrors() {
        assertThat(check("192.0.2.1", "a@neutral.test")).isEqualTo(SpfResult.Result.NEUTRAL);
        assertThat(check("192.0.2.1", "a@nowhere.test")).isEqualTo(SpfResult.Result.NONE);
        assertThat(check("192.0.2.1", "a@two.test")).isEqualTo(SpfResult.Result.PERMERROR);
        assertThat(check("192.0.2.1", "a@bad.test")).isEqualTo(SpfResult.Result.PERMERROR);
        assertThat(check("192.0.2.1", "a@unknown.test")).isEqualTo(SpfResult.Result.PERMERROR);
        assertThat(check("192.0.2.1", "a@modifier.test")).isEqualTo(SpfResult.Result.PASS);
    }

    @Test
    void theTenLookupLimitAndTheVoidLookupLimitGivePermerror() {
        assertThat(check("192.0.2.1", "a@many.test")).isEqualTo(SpfResult.Result.PERMERROR);
        assertThat(check("192.0.2.1", "a@ten.test")).isEqualTo(SpfResult.Result.PASS); // exactly ten
        assertThat(check("192.0.2.1", "a@voids.test")).isEqualTo(SpfResult.Result.PERMERROR);
    }

    @Test
    void dnsFailuresGiveTemperrorNeverAVerdict() {
        assertThat(check("192.0.2.1", "a@broken.test")).isEqualTo(SpfResult.Result.TEMPERROR);
        assertThat(check("192.0.2.1", "a@silent.test")).isEqualTo(SpfResult.Result.TEMPERROR);
    }
}
