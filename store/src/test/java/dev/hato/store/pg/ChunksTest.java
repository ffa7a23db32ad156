package dev.hato.store.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.store.mail.TestContent;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Flux;

class ChunksTest {

    @ParameterizedTest(name = "{0} bytes arriving in pieces of {1}")
    @CsvSource({"0, 7", "1, 1", "99, 1", "100, 7", "100, 100", "101, 100", "1000, 33", "1000, 1000", "1000, 5000"})
    void rechunkShouldCutAnyInputIntoFullChunksAndAShorterLastOne(int size, int piece) {
        TestContent content = TestContent.random(size).chunkedBy(piece);

        List<ByteBuffer> chunks = Chunks.rechunk(content.chunks(), 100).collectList().block();

        assertThat(TestContent.concat(chunks)).isEqualTo(content.bytes());
        assertThat(chunks).hasSize((size + 99) / 100);
        for (int i = 0; i < chunks.size(); i++) {
            int expected = i < chunks.size() - 1 ? 100 : size - 100 * i;
            assertThat(chunks.get(i).remaining()).as("chunk %d", i).isEqualTo(expected);
        }
    }

    @Test
    void rechunkShouldLeaveTheIncomingBuffersUntouchedForTheNextSubscriber() {
        ByteBuffer shared = ByteBuffer.wrap(new byte[250]);
        Flux<ByteBuffer> replaying = Flux.just(shared);

        Chunks.rechunk(replaying, 100).blockLast();

        assertThat(shared.remaining()).isEqualTo(250);
        assertThat(Chunks.rechunk(replaying, 100).collectList().block()).hasSize(3);
    }

    @Test
    void theVerifierShouldAcceptExactlyTheDeclaredBytes() {
        byte[] bytes = "Subject: x\r\n\r\nbody\r\n".getBytes();
        var verifier = new Chunks.Verifier(TestContent.sha256(bytes), bytes.length);

        verifier.update(ByteBuffer.wrap(bytes, 0, 5));
        verifier.update(ByteBuffer.wrap(bytes, 5, bytes.length - 5));

        verifier.verify();
    }

    @Test
    void theVerifierShouldRefuseBytesOfAnotherSizeOrHash() {
        byte[] bytes = "abc".getBytes();
        var tooLong = new Chunks.Verifier(TestContent.sha256(bytes), 2);
        var tooShort = new Chunks.Verifier(TestContent.sha256(bytes), 4);
        var otherHash = new Chunks.Verifier(TestContent.sha256("abd".getBytes()), 3);

        assertThatThrownBy(() -> tooLong.update(ByteBuffer.wrap(bytes))).isInstanceOf(IllegalArgumentException.class);
        tooShort.update(ByteBuffer.wrap(bytes));
        assertThatThrownBy(tooShort::verify).isInstanceOf(IllegalArgumentException.class);
        otherHash.update(ByteBuffer.wrap(bytes));
        assertThatThrownBy(otherHash::verify).isInstanceOf(IllegalArgumentException.class);
    }
}
