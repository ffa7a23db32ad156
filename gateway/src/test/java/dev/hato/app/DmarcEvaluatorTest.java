package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.dkim.DkimVerdict;
import dev.hato.inbound.DmarcEvaluator;
import dev.hato.inbound.DmarcRecord;
import dev.hato.inbound.DmarcResult;
import dev.hato.inbound.SpfResult;
import dev.hato.inbound.transport.NettyAuthDns;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** RFC 7489 evaluation against policies served by a loopback DNS server: alignment, sp=, pct=, errors. */
class DmarcEvaluatorTest {

    private static TestDnsServer dns;
    private static NettyAuthDns resolver;

    @BeforeAll
    static void start() throws Exception {
        dns = new TestDnsServer();
        dns.txt("_dmarc.half.test", "v=DMARC1; p=reject; pct=50")
                .txt("_dmarc.strict.test", "v=DMARC1; p=reject; adkim=s; aspf=s")
                .txt("_dmarc.org.test", "v=DMARC1; p=none; sp=reject")
                .txt("_dmarc.two.test", "v=DMARC1; p=reject", "v=DMARC1; p=none")
                .txt("_dmarc.other.test", "not a policy", "v=spf1 -all")
                .servfail("_dmarc.down.test");
        String[] server = dns.address().split(":");
        resolver = new NettyAuthDns(List.of(new InetSocketAddress(server[0], Integer.parseInt(server[1]))),
                Duration.ofMillis(500), Duration.ZERO, Duration.ZERO);
    }

    @AfterAll
    static void stop() throws Exception {
        resolver.close();
        dns.close();
    }

    private static DmarcResult evaluate(int percentile, String from, SpfResult spf, DkimVerdict... dkim) {
        return new DmarcEvaluator(resolver, () -> percentile).evaluate(List.of(from), spf, List.of(dkim))
                .block(Duration.ofSeconds(10));
    }

    private static SpfResult spf(SpfResult.Result result, String domain) {
        return new SpfResult(result, "mailfrom", domain, "x@" + domain, "");
    }

    private static DkimVerdict dkim(DkimVerdict.Result result, String domain) {
        return new DkimVerdict(result, domain, "s", null, "rsa-sha256", "AAAAAAAA", "");
    }

    @Test
    void pctSamplesThePolicyAndDowngradesOutsideTheSample() {
        DmarcResult inside = evaluate(10, "a@half.test", spf(SpfResult.Result.FAIL, "half.test"));
        assertThat(inside.result()).isEqualTo(DmarcResult.Result.FAIL);
        assertThat(inside.disposition()).isEqualTo(DmarcRecord.Policy.REJECT);
        DmarcResult outside = evaluate(70, "a@half.test", spf(SpfResult.Result.FAIL, "half.test"));
        assertThat(outside.disposition()).isEqualTo(DmarcRecord.Policy.QUARANTINE);
    }

    @Test
    void relaxedAndStrictAlignment() {
        assertThat(evaluate(0, "a@half.test", spf(SpfResult.Result.PASS, "bounce.half.test")).result())
                .isEqualTo(DmarcResult.Result.PASS);
        assertThat(evaluate(0, "a@strict.test", spf(SpfResult.Result.PASS, "bounce.strict.test"),
                dkim(DkimVerdict.Result.PASS, "mail.strict.test")).result()).isEqualTo(DmarcResult.Result.FAIL);
        assertThat(evaluate(0, "a@strict.test", spf(SpfResult.Result.FAIL, "strict.test"),
                dkim(DkimVerdict.Result.PASS, "strict.test")).result()).isEqualTo(DmarcResult.Result.PASS);
        // A passing signature of another domain, or a policy-only one, aligns nothing.
        assertThat(evaluate(0, "a@half.test", spf(SpfResult.Result.NONE, "x.test"),
                dkim(DkimVerdict.Result.PASS, "elsewhere.test"), dkim(DkimVerdict.Result.POLICY, "half.test"))
                .result()).isEqualTo(DmarcResult.Result.FAIL);
    }

    @Test
    void subdomainsUseTheOrganisationalDomainsSpPolicy() {
        DmarcResult sub = evaluate(0, "a@x.org.test", spf(SpfResult.Result.FAIL, "x.org.test"));
        assertThat(sub.policy()).isEqualTo(DmarcRecord.Policy.REJECT);
        DmarcResult top = evaluate(0, "a@org.test", spf(SpfResult.Result.FAIL, "org.test"));
        assertThat(top.policy()).isEqualTo(DmarcRecord.Policy.NONE);
    }

    @Test
    void noUsableRecordIsNoPolicy() {
        assertThat(evaluate(0, "a@two.test", spf(SpfResult.Result.FAIL, "two.test")).result())
                .isEqualTo(DmarcResult.Result.NONE);
        assertThat(evaluate(0, "a@other.test", spf(SpfResult.Result.FAIL, "other.test")).result())
                .isEqualTo(DmarcResult.Result.NONE);
        assertThat(evaluate(0, "a@nowhere.test", spf(SpfResult.Result.FAIL, "nowhere.test")).result())
                .isEqualTo(DmarcResult.Result.NONE);
    }

    @Test
    void temporaryErrorsNeverBecomeAFail() {
        assertThat(evaluate(0, "a@down.test", spf(SpfResult.Result.FAIL, "down.test")).result())
                .isEqualTo(DmarcResult.Result.TEMPERROR);
        assertThat(evaluate(0, "a@half.test", spf(SpfResult.Result.TEMPERROR, "half.test")).result())
                .isEqualTo(DmarcResult.Result.TEMPERROR);
        assertThat(evaluate(0, "a@half.test", spf(SpfResult.Result.FAIL, "half.test"),
                dkim(DkimVerdict.Result.TEMPERROR, "half.test")).result()).isEqualTo(DmarcResult.Result.TEMPERROR);
        // ...but a pass is a pass, whatever else could not be checked.
        assertThat(evaluate(0, "a@half.test", spf(SpfResult.Result.TEMPERROR, "half.test"),
                dkim(DkimVerdict.Result.PASS, "half.test")).result()).isEqualTo(DmarcResult.Result.PASS);
    }

    @Test
    void fromFieldsThatNameNoSingleDomainArePermerrors() {
        assertThat(new DmarcEvaluator(resolver, () -> 0).evaluate(List.of("a@half.test", "b@half.test"),
                spf(SpfResult.Result.PASS, "half.test"), List.of()).block(Duration.ofSeconds(10)).result())
                .isEqualTo(DmarcResult.Result.PERMERROR);
        assertThat(evaluate(0, "a@half.test, b@evil.test", spf(SpfResult.Result.PASS, "half.test")).result())
                .isEqualTo(DmarcResult.Result.PERMERROR);
    }
}
