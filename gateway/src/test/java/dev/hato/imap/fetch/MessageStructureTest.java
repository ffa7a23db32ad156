package dev.hato.imap.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.message.MessagePart;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageStructureTest {

    @Test
    void aScannedStructureSurvivesEncodeAndDecodeUnchanged() throws IOException {
        MessageStructure structure = StructureScannerTest.scan(
                "Subject: J\u00f6rg\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n"
                        + "Content-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\nhi\r\n--x\r\n\r\nb\r\n--x--\r\n");

        MessageStructure decoded = MessageStructure.decode(structure.encode());

        assertThat(decoded).isEqualTo(structure);
        assertThat(decoded.root().section(1, 1)).isEqualTo(structure.root().section(1, 1));
        assertThat(decoded.envelope()).contains("{4}\r\nJ\u00f6rg");
    }

    @Test
    void truncatedOrForeignBytesAreRejected() throws IOException {
        byte[] encoded = StructureScannerTest.scan("Subject: x\r\n\r\ny").encode();

        assertThatThrownBy(() -> MessageStructure.decode(Arrays.copyOf(encoded, encoded.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MessageStructure.decode(new byte[] {9, 0, 0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("format");
        byte[] longer = Arrays.copyOf(encoded, encoded.length + 1);
        assertThatThrownBy(() -> MessageStructure.decode(longer)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trailing");
    }

    @Test
    void partsWithInconsistentOffsetsOrChildrenCannotBeBuilt() {
        MessagePart leaf = new MessagePart(0, 2, 5, MessagePart.Kind.LEAF, List.of());
        assertThatThrownBy(() -> new MessagePart(3, 2, 5, MessagePart.Kind.LEAF, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MessagePart(0, 0, 5, MessagePart.Kind.MESSAGE, List.of(leaf, leaf)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MessagePart(0, 0, 5, MessagePart.Kind.MULTIPART, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
