package dev.hato.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoopStepTest {

    private final LoopStep loops = new LoopStep(3);

    @Test
    void aMessageWithinTheHopLimitShouldPass() {
        // two Received fields in the content and ours make three
        assertThat(loops.check(new Hops(2, Set.of()), List.of())).isNull();
    }

    @Test
    void ourOwnReceivedFieldShouldCountAsTheHopOverTheLimit() {
        DeliveryReply refusal = loops.check(new Hops(3, Set.of()), List.of());

        assertThat(refusal).isNotNull();
        assertThat(refusal.line()).isEqualTo(
                "554 5.4.6 Message refused: too many hops (4 Received fields), probably a mail loop");
    }

    @Test
    void aMessageThatCameBackToAForwarderShouldBeRefusedNamingIt() {
        Hops hops = new Hops(1, Set.of("team@example.test"));

        DeliveryReply refusal = loops.check(hops, List.of("ann@example.test", "Team@Example.test"));

        assertThat(refusal).isNotNull();
        assertThat(refusal.line()).isEqualTo("554 5.4.6 Message refused: mail forwarding loop for <Team@Example.test>");
    }

    @Test
    void aDeliveredToFieldOfAnAddressThatDoesNotForwardShouldNotCount() {
        assertThat(loops.check(new Hops(1, Set.of("team@example.test")), List.of("ann@example.test"))).isNull();
    }

    @Test
    void aMessageNobodyScannedShouldPass() {
        assertThat(new LoopStep(1).check(Hops.NONE, List.of("ann@example.test"))).isNull();
    }
}
