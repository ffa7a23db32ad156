package dev.hato.protocol.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class FragmentsTest {

    @Test
    void everySplitShouldReassembleToTheInput() {
        byte[] input = Fragments.bytes("HELO x\r\n");
        List<Fragments.Split> splits = Fragments.of(input);

        assertThat(splits).hasSize(1 + (input.length - 1) + 1);
        for (Fragments.Split split : splits) {
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            split.buffers().forEach(buffer -> joined.write(buffer.array(), 0, buffer.remaining()));
            assertThat(joined.toByteArray()).as(split.name()).isEqualTo(input);
        }
    }

    @Test
    void sampledSplitsShouldIncludeTheLastOffset() {
        List<Fragments.Split> splits = Fragments.sampled(new byte[10], 4);

        assertThat(splits).extracting(Fragments.Split::name)
                .containsExactly("whole", "split at 1", "split at 5", "split at 9", "one byte at a time");
    }

    @Test
    void emptyInputShouldHaveOnlyTheWholeAndTheByteWiseSplits() {
        assertThat(Fragments.of(new byte[0])).extracting(Fragments.Split::name)
                .containsExactly("whole", "one byte at a time");
    }
}
