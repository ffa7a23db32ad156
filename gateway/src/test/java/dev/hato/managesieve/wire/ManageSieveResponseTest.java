package dev.hato.managesieve.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ManageSieveResponseTest {

    @Test
    void shortTextShouldBeQuotedWithItsSpecialsEscaped() {
        assertThat(ManageSieveResponse.string("a \"b\" \\ 名")).isEqualTo("\"a \\\"b\\\" \\\\ 名\"");
    }

    @Test
    void textAQuotedStringCannotHoldShouldBeALiteralOfItsOctets() {
        assertThat(ManageSieveResponse.string("line 1\r\nline 2 名")).isEqualTo("{18}\r\nline 1\r\nline 2 名");
        assertThat(ManageSieveResponse.string("x".repeat(1025))).startsWith("{1025}\r\nxxx");
        assertThat(ManageSieveResponse.string("x".repeat(1024))).startsWith("\"xxx");
    }

    @Test
    void responsesShouldCarryTheirCodeAndText() {
        assertThat(ManageSieveResponse.ok(null, null)).isEqualTo("OK\r\n");
        assertThat(ManageSieveResponse.no("QUOTA/MAXSIZE", "Too big")).isEqualTo("NO (QUOTA/MAXSIZE) \"Too big\"\r\n");
        assertThat(ManageSieveResponse.bye("TRYLATER", null)).isEqualTo("BYE (TRYLATER)\r\n");
    }
}
