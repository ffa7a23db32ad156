package dev.hato.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The dates of mbox From lines as delivery agents write them. */
class FromLineTest {

    @Test
    void asctimeDatesShouldBeReadAsUtcUnlessANumericZoneFollows() {
        assertThat(FromLine.date("From alice@example.test Wed Dec  2 10:00:00 2026"))
                .isEqualTo(Instant.parse("2026-12-02T10:00:00Z"));
        assertThat(FromLine.date("From alice@example.test Wed Dec 02 10:00:00 2026"))
                .isEqualTo(Instant.parse("2026-12-02T10:00:00Z"));
        assertThat(FromLine.date("From bob Thu Dec  3 18:30:00 2026 +0900"))
                .isEqualTo(Instant.parse("2026-12-03T09:30:00Z"));
        assertThat(FromLine.date("From bob Thu Dec  3 18:30:00 2026 -0130"))
                .isEqualTo(Instant.parse("2026-12-03T20:00:00Z"));
        assertThat(FromLine.date("From MAILER-DAEMON Fri Jul  8 12:08 2011"))
                .isEqualTo(Instant.parse("2011-07-08T12:08:00Z"));
        assertThat(FromLine.date("From root Mon Jan  5 09:01:02 JST 2015"))
                .isEqualTo(Instant.parse("2015-01-05T09:01:02Z"));
        assertThat(FromLine.date("From \"quoted sender\"@example.test  Sat Feb 29 23:59:59 2020"))
                .isEqualTo(Instant.parse("2020-02-29T23:59:59Z"));
    }

    @Test
    void linesWithoutAReadableDateShouldHaveNone() {
        assertThat(FromLine.date("From list@example.test bad date")).isNull();
        assertThat(FromLine.date("From x Mon Feb 31 10:00:00 2026")).isNull();
        assertThat(FromLine.date("From x Mon Feb  1 25:00:00 2026")).isNull();
        assertThat(FromLine.date("From " + "Mon ".repeat(10_000))).isNull();
    }
}
