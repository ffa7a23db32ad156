package dev.hato.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The parsers of inbound authentication with ordinary and hostile input: right answers, bounded work. */
class InboundParsersTest {

    private static final SpfMacro.Context CONTEXT = new SpfMacro.Context("strong-bad@email.example.com",
            "strong-bad", "email.example.com", "email.example.com", "192.0.2.3", false, "mx.example.org");

    @Test
    void macroExamplesOfRfc7208Section7_4() {
        assertThat(SpfMacro.expand("%{s}", CONTEXT)).isEqualTo("strong-bad@email.example.com");
        assertThat(SpfMacro.expand("%{o}", CONTEXT)).isEqualTo("email.example.com");
        assertThat(SpfMacro.expand("%{d}", CONTEXT)).isEqualTo("email.example.com");
        assertThat(SpfMacro.expand("%{d4}", CONTEXT)).isEqualTo("email.example.com");
        assertThat(SpfMacro.expand("%{d3}", CONTEXT)).isEqualTo("email.example.com");
        assertThat(SpfMacro.expand("%{d2}", CONTEXT)).isEqualTo("example.com");
        assertThat(SpfMacro.expand("%{d1}", CONTEXT)).isEqualTo("com");
        assertThat(SpfMacro.expand("%{dr}", CONTEXT)).isEqualTo("com.example.email");
        assertThat(SpfMacro.expand("%{d2r}", CONTEXT)).isEqualTo("example.email");
        assertThat(SpfMacro.expand("%{l}", CONTEXT)).isEqualTo("strong-bad");
        assertThat(SpfMacro.expand("%{l-}", CONTEXT)).isEqualTo("strong.bad");
        assertThat(SpfMacro.expand("%{lr}", CONTEXT)).isEqualTo("strong-bad");
        assertThat(SpfMacro.expand("%{lr-}", CONTEXT)).isEqualTo("bad.strong");
        assertThat(SpfMacro.expand("%{l1r-}", CONTEXT)).isEqualTo("strong");
        assertThat(SpfMacro.expand("%{ir}.%{v}._spf.%{d2}", CONTEXT)).isEqualTo("3.2.0.192.in-addr._spf.example.com");
        assertThat(SpfMacro.expand("%{lr-}.lp._spf.%{d2}", CONTEXT)).isEqualTo("bad.strong.lp._spf.example.com");
        assertThat(SpfMacro.expand("%{h}%%%_%-", CONTEXT)).isEqualTo("mx.example.org% %20");
        SpfMacro.Context six = new SpfMacro.Context("a@b.c", "a", "b.c", "b.c", "2001:db8::cb01", true, "h");
        assertThat(SpfMacro.expand("%{ir}.%{v}._spf.%{d2}", six)).isEqualTo(
                "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.b.c");
        assertThat(SpfMacro.expand("%{S}", new SpfMacro.Context("a b@c.d", "a b", "c.d", "c.d", "1.2.3.4", false,
                "h"))).isEqualTo("a%20b%40c.d");
    }

    @Test
    void badMacrosArePermerrors() {
        for (String bad : new String[] {"%", "%{", "%{x}", "%{d0}", "%{d1234}", "%{d;}", "%a", "%{}"}) {
            assertThatThrownBy(() -> SpfMacro.expand(bad, CONTEXT)).as(bad)
                    .isInstanceOf(SpfException.PermError.class);
        }
        assertThatThrownBy(() -> SpfMacro.expand("%{s}".repeat(300), CONTEXT))
                .isInstanceOf(SpfException.PermError.class);
    }

    @Test
    void recordsParseAndBadOnesArePermerrors() {
        SpfRecord record = SpfRecord.parse("v=spf1 +a:x.example/24//64 -mx ~ip4:192.0.2.0/24 ?ip6:2001:db8::/32"
                + " include:_spf.example exists:%{i}.x.example ptr all redirect=r.example exp=e.example x-y=z");
        assertThat(record.directives()).hasSize(8);
        assertThat(record.directives().get(0).cidr4()).isEqualTo(24);
        assertThat(record.directives().get(0).cidr6()).isEqualTo(64);
        assertThat(record.redirect()).isEqualTo("r.example");
        for (String bad : new String[] {"v=spf1 ip4:1.2.3", "v=spf1 ip4:1.2.3.4/33", "v=spf1 ip6:1::/129",
                "v=spf1 a/01", "v=spf1 include", "v=spf1 redirect=a.example redirect=b.example", "v=spf1 foo",
                "v=spf1 a:example.123", "v=spf1 all:x", "v=spf1 ip4:01.2.3.4"}) {
            assertThatThrownBy(() -> SpfRecord.parse(bad)).as(bad).isInstanceOf(SpfException.PermError.class);
        }
        assertThat(SpfRecord.isSpf("v=spf10 -all")).isFalse();
        assertThat(SpfRecord.isSpf("V=SPF1")).isTrue();
    }

    @Test
    void hostileRecordsCostBoundedWork() {
        long start = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            assertThatThrownBy(() -> SpfRecord.parse("v=spf1 " + "a ".repeat(2000)))
                    .isInstanceOf(SpfException.PermError.class);
            assertThatThrownBy(() -> SpfRecord.parse("v=spf1 " + "x".repeat(100_000)))
                    .isInstanceOf(SpfException.PermError.class);
            assertThat(DmarcRecord.parse("v=DMARC1; " + "p=reject;".repeat(10_000))).isNull();
            assertThat(DmarcRecord.parse("v=DMARC1; " + "x".repeat(1000))).isNull();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void clientAddressesOfBothFamiliesAndMappedOnes() {
        assertThat(IpAddresses.parse("192.0.2.1")).hasSize(4);
        assertThat(IpAddresses.parse("2001:db8::1")).hasSize(16);
        assertThat(IpAddresses.parse("::ffff:192.0.2.1")).containsExactly(192, 0, 2, 1);
        assertThat(IpAddresses.parse("example.com")).isNull();
        assertThat(IpAddresses.parse("1.2.3")).isNull();
        assertThat(IpAddresses.matches(IpAddresses.parse("192.0.2.100"), IpAddresses.parse("192.0.2.0"), 25))
                .isTrue();
        assertThat(IpAddresses.matches(IpAddresses.parse("192.0.2.200"), IpAddresses.parse("192.0.2.128"), 25))
                .isTrue();
        assertThat(IpAddresses.matches(IpAddresses.parse("192.0.2.100"), IpAddresses.parse("192.0.2.128"), 25))
                .isFalse();
    }

    @Test
    void dmarcRecords() {
        DmarcRecord record = DmarcRecord.parse("v=DMARC1; p=quarantine; sp=reject; pct=20; adkim=s; aspf=r; "
                + "rua=mailto:a@example.org; fo=1");
        assertThat(record).isEqualTo(new DmarcRecord(DmarcRecord.Policy.QUARANTINE, DmarcRecord.Policy.REJECT, 20,
                true, false));
        assertThat(DmarcRecord.parse("v=DMARC1;p=reject")).isNotNull();
        assertThat(DmarcRecord.parse("v=DMARC1; p=bogus")).isNull(); // no valid p= and no rua=: no record
        assertThat(DmarcRecord.parse("v=DMARC1; p=bogus; rua=mailto:x@y.z").policy())
                .isEqualTo(DmarcRecord.Policy.NONE);
        assertThat(DmarcRecord.parse("v=DMARC1; p=reject; pct=250").percent()).isEqualTo(100);
        assertThat(DmarcRecord.parse("v=dmarc1; p=reject")).isNull();
        assertThat(DmarcRecord.parse("p=reject; v=DMARC1")).isNull();
        assertThat(DmarcRecord.parse("v=DMARC1 p=reject")).isNull();
    }

    @Test
    void organisationalDomainsAndAlignment() {
        assertThat(OrganizationalDomain.of("a.b.example.co.uk")).isEqualTo("example.co.uk");
        assertThat(OrganizationalDomain.of("mail.example.com")).isEqualTo("example.com");
        assertThat(OrganizationalDomain.of("example.com")).isEqualTo("example.com");
        assertThat(OrganizationalDomain.of("x.y.careful.test")).isEqualTo("careful.test"); // not in the list
        assertThat(DmarcEvaluator.aligned("mail.example.com", "example.com", "example.com", false)).isTrue();
        assertThat(DmarcEvaluator.aligned("mail.example.com", "example.com", "example.com", true)).isFalse();
        assertThat(DmarcEvaluator.aligned("example.net", "example.com", "example.com", false)).isFalse();
    }

    @Test
    void fromDomains() {
        assertThat(FromDomain.of("Joe <joe@Example.COM>")).isEqualTo("example.com");
        assertThat(FromDomain.of("joe@example.com, ann@example.com")).isEqualTo("example.com");
        assertThat(FromDomain.of("joe@example.com, ann@evil.example")).isNull();
        assertThat(FromDomain.of("undisclosed")).isNull();
        assertThat(FromDomain.of("a@[192.0.2.1]")).isNull();
    }

    @Test
    void forgedResultsAreRenamedWhereverTheChunksEnd() {
        String header = "Received: x\r\nAuthentication-Results: mx.example.org; spf=pass\r\n"
                + "Authentication-Results:\r\n (c (nested)) MX.example.org ; dkim=pass\r\n"
                + "Authentication-Results: other.example; spf=fail\r\n"
                + "Authentication-Results-X: mx.example.org\r\n"
                + "Subject: Authentication-Results: mx.example.org;\r\n"
                + "\r\nAuthentication-Results: mx.example.org; in the body\r\n";
        String expected = header.replaceFirst("Authentication-Results: mx", "X-Original-Auth-Result: mx")
                .replaceFirst("Authentication-Results:\r\n \\(c", "X-Original-Auth-Result:\r\n (c");
        byte[] input = header.getBytes(StandardCharsets.US_ASCII);
        for (int split = 0; split <= input.length; split++) {
            ForgedResultsFilter filter = new ForgedResultsFilter("mx.example.org");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            write(out, filter.filter(ByteBuffer.wrap(input, 0, split).slice()));
            write(out, filter.filter(ByteBuffer.wrap(input, split, input.length - split).slice()));
            write(out, filter.finish());
            assertThat(out.toString(StandardCharsets.US_ASCII)).as("split at %d", split).isEqualTo(expected);
            assertThat(filter.renamed()).isEqualTo(2);
        }
        ForgedResultsFilter filter = new ForgedResultsFilter("mx.example.org");
        String piled = "Authentication-Results: " + "(x)".repeat(500) + " mx.example.org\r\n\r\n";
        String out = new String(bytes(filter.filter(ByteBuffer.wrap(piled.getBytes(StandardCharsets.US_ASCII)))),
                StandardCharsets.US_ASCII);
        assertThat(out).startsWith("X-Original-Auth-Result: (x)").hasSize(piled.length());
    }

    private static void write(ByteArrayOutputStream out, ByteBuffer buffer) {
        out.writeBytes(bytes(buffer));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    @Test
    void authenticationResultsValuesAreTokensOrQuoted() {
        assertThat(AuthenticationResults.value("alice@example.com")).isEqualTo("alice@example.com");
        assertThat(AuthenticationResults.value("a b\"c\r\n@x")).isEqualTo("\"a b\\\"c@x\"");
        assertThat(new String(AuthenticationResults.field("mx.example.org", null, null, null),
                StandardCharsets.US_ASCII)).isEqualTo("Authentication-Results: mx.example.org; none\r\n");
    }
}
