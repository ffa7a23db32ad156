package dev.hato.imap.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The bounds on the messages of one APPEND (RFC 3502 MULTIAPPEND), decided as each literal is announced. */
class AppendBatchTest {

    @Test
    void messagesShouldBeAdmittedUpToTheCountBound() {
        AppendBatch batch = new AppendBatch(100, 3, 1000);

        assertThat(batch.admit(10)).isNull();
        assertThat(batch.admit(10)).isNull();
        assertThat(batch.admit(10)).isNull();
        assertThat(batch.admit(10)).startsWith("NO [LIMIT] At most 3 messages");
        assertThat(batch.octets()).isEqualTo(30);
    }

    @Test
    void messagesShouldBeAdmittedUpToTheOctetBoundTogether() {
        AppendBatch batch = new AppendBatch(100, 10, 250);

        assertThat(batch.admit(100)).isNull();
        assertThat(batch.admit(100)).isNull();
        assertThat(batch.admit(51)).startsWith("NO [LIMIT] At most 250 octets");
        assertThat(batch.admit(50)).as("exactly the bound fits").isNull();
        assertThat(batch.admit(1)).startsWith("NO [LIMIT] At most 250 octets");
    }

    @Test
    void aMessageOverAppendLimitShouldBeTooBigAndAnEmptyOneCancel() {
        AppendBatch batch = new AppendBatch(100, 10, 1000);

        assertThat(batch.admit(101)).isEqualTo("NO [TOOBIG] Message larger than APPENDLIMIT 100");
        assertThat(batch.admit(100)).isNull();
        // RFC 3502: a zero-length literal is an error that MUST return NO; it cancels the APPEND.
        assertThat(batch.admit(0)).startsWith("NO [CANNOT] APPEND of an empty message");
        assertThat(batch.octets()).isEqualTo(100);
    }
}
