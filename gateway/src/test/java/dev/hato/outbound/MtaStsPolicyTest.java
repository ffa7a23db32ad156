package dev.hato.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The policy file, the TXT records and MX matching of RFC 8461, and the reporting URIs of RFC 8460. */
class MtaStsPolicyTest {

    @Test
    void theRfcExamplePolicyShouldParseWithCrlfOrLf() {
        String text = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"
                + "mx: backupmx.example.com\r\nmax_age: 604800\r\n";
        for (String variant : List.of(text, text.replace("\r\n", "\n"))) {
            MtaStsPolicy policy = MtaStsPolicy.parse("20160831085700Z", variant);
            assertThat(policy.mode()).isEqualTo(MtaStsPolicy.Mode.ENFORCE);
            assertThat(policy.mx()).containsExactly("mail.example.com", "*.example.net", "backupmx.example.com");
            assertThat(policy.maxAge()).isEqualTo(Duration.ofDays(7));
            assertThat(policy.text()).isEqualTo(variant);
        }
    }

    @Test
    void unknownFieldsShouldBeIgnoredAndMaxAgeCappedAtAYear() {
        MtaStsPolicy policy = MtaStsPolicy.parse("a", "version: STSv1\nmode: testing\nmx: MX.Example.org\n"
                + "future_field: x\nmax_age: 9999999999\n");
        assertThat(policy.mode()).isEqualTo(MtaStsPolicy.Mode.TESTING);
        assertThat(policy.mx()).containsExactly("mx.example.org");
        assertThat(policy.maxAge()).isEqualTo(Duration.ofSeconds(31_557_600));
        assertThat(MtaStsPolicy.parse("a", "version: STSv1\nmode: none\nmax_age: 0\n").mx()).isEmpty();
    }

    @Test
    void aPolicyThatMustNotBeUsedShouldBeRefusedWithTheReason() {
        String valid = "version: STSv1\nmode: enforce\nmx: mx.example.org\nmax_age: 86400\n";
        assertThatThrownBy(() -> MtaStsPolicy.parse("a", valid.replace("STSv1", "STSv2")))
                .hasMessageContaining("version");
        assertThatThrownBy(() -> MtaStsPolicy.parse("a", valid.replace("enforce", "strict")))
                .hasMessageContaining("mode");
        assertThatThrownBy(() -> MtaStsPolicy.parse("a", valid.replace("86400", "-1")))
                .hasMessageContaining("max_age");
        assertThatThrownBy(() -> MtaStsPolicy.parse("a", valid.replace("86400", "12345678901")))
                .hasMessageContaining("max_age");
        assertThatThrownBy(() -> MtaStsPolicy.parse("a", valid.replace("mx: mx.example.org\n", "")))
                .hasMessageContaining("mx");
        assertThatThrownBy(() -> MtaStsPolicy.parse("a", valid.replace("mx.example.org", "mx..example.org")))
                .hasMessageContaining("MX host pattern");
        assertThatThrownBy(() -> MtaStsPolicy.parse("a", valid.replace("mx.example.org", "*.*.example.org")))
                .hasMessageContaining("MX host pattern");
        assertThatThrownBy(() -> MtaStsPolicy.parse("a", "<html>not a policy</html>\n"))
                .hasMessageContaining("key: value");
    }

    @Test
    void ofARepeatedFieldOnlyTheFirstShouldCount() {
        MtaStsPolicy policy = MtaStsPolicy.parse("a", "version: STSv1\nmode: enforce\nmx: mx.example.org\n"
                + "max_age: 86400\nmode: testing\nmax_age: x\nversion: STSv2\n");
        assertThat(policy.mode()).isEqualTo(MtaStsPolicy.Mode.ENFORCE);
        assertThat(policy.maxAge()).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void aWildcardShouldMatchExactlyOneLeftmostLabel() {
        MtaStsPolicy policy = MtaStsPolicy.parse("a", "version: STSv1\nmode: enforce\nmx: *.example.net\n"
                + "mx: mail.example.com\nmax_age: 1\n");
        assertThat(policy.permits("mx1.example.net")).isTrue();
        assertThat(policy.permits("MX1.Example.NET.")).isTrue();
        assertThat(policy.permits("mail.example.com")).isTrue();
        assertThat(policy.permits("a.b.example.net")).isFalse();
        assertThat(policy.permits("example.net")).isFalse();
        assertThat(policy.permits("xexample.net")).isFalse();
        assertThat(policy.permits("mail.example.com.evil.org")).isFalse();
    }

    @Test
    void onlyOneValidStsRecordShouldGiveAnId() {
        assertThat(MtaStsPolicy.recordId(List.of("v=STSv1; id=20160831085700Z;"))).isEqualTo("20160831085700Z");
        assertThat(MtaStsPolicy.recordId(List.of("v=STSv1;id=abc", "v=spf1 -all"))).isEqualTo("abc");
        assertThat(MtaStsPolicy.recordId(List.of("v=STSv1; id=a;", "v=STSv1; id=b;"))).isNull();
        assertThat(MtaStsPolicy.recordId(List.of("v=STSv1; id=not-alphanumeric;"))).isNull();
        assertThat(MtaStsPolicy.recordId(List.of("v=STSv1; id=" + "a".repeat(33) + ";"))).isNull();
        assertThat(MtaStsPolicy.recordId(List.of("v=STSv1; id=a; id=b"))).isEqualTo("a");
        assertThat(MtaStsPolicy.recordId(List.of("v=STSv1; id=a; ext=1;"))).isEqualTo("a");
        assertThat(MtaStsPolicy.recordId(List.of("v=STSv1; id=a; not a field"))).isNull();
        assertThat(MtaStsPolicy.recordId(List.of("v=STSv10; id=a;"))).isNull();
        assertThat(MtaStsPolicy.recordId(List.of())).isNull();
    }

    @Test
    void reportingUrisShouldComeFromTheOneTlsrptRecord() {
        assertThat(TlsReporting.reportingUris(List.of(
                "v=TLSRPTv1; rua=mailto:reports@example.com,https://reporting.example.com/v1/tlsrpt")))
                .containsExactly(URI.create("mailto:reports@example.com"),
                        URI.create("https://reporting.example.com/v1/tlsrpt"));
        assertThat(TlsReporting.reportingUris(List.of("v=TLSRPTv1;rua=ftp://x.example,mailto:nobody")))
                .isEmpty();
        assertThat(TlsReporting.reportingUris(List.of("v=TLSRPTv1; rua=mailto:a@example.com",
                "v=TLSRPTv1; rua=mailto:b@example.com"))).isEmpty();
        assertThat(TlsReporting.reportingUris(List.of("v=spf1 -all"))).isEmpty();
        assertThat(TlsReporting.reportingUris(List.of("v=TLSRPTv10; rua=mailto:a@example.com"))).isEmpty();
    }
}
