package dev.hato.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DeliveryReplyTest {

    @Test
    void aReplyShouldBeWrittenAsCodeStatusAndText() {
        DeliveryReply reply = new DeliveryReply(452, "4.2.2", "Mailbox full");

        assertThat(reply.line()).isEqualTo("452 4.2.2 Mailbox full");
        assertThat(reply.temporary()).isTrue();
    }

    @Test
    void aStatusOfAnotherClassThanTheCodeShouldBeRejected() {
        assertThatThrownBy(() -> new DeliveryReply(550, "4.1.1", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DeliveryReply(250, "2.0.0", "x")).isInstanceOf(IllegalArgumentException.class);
    }
}
