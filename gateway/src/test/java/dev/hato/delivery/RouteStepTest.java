package dev.hato.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.directory.Account;
import dev.hato.store.queue.OutboundRecipient;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouteStepTest {

    private static final Account ANN = new Account(7, 1, "ann@example.test", "ann.x-1", "Ann", null);
    private static final RouteStep QUEUEING = new RouteStep(DeliverySettings.defaults().withRemoteDelivery(true));
    private static final RouteStep LOCAL_ONLY = new RouteStep(DeliverySettings.defaults());

    private static RecipientRequest request(String address, boolean mayRelay) {
        return new RecipientRequest(address, Set.of(OutboundRecipient.Notify.FAILURE), null, false, mayRelay);
    }

    @Test
    void aLocalRecipientShouldBeAdmittedWithItsExpansionAndTheAddressAsOnwardOrcpt() {
        Recipient recipient = new Recipient.Resolved(List.of(ANN), List.of("ann@away.test"),
                List.of("ann@example.test"));

        Admission admission = QUEUEING.route(recipient, request("Ann@example.test", false));

        assertThat(admission).isEqualTo(new Admission.Admitted("Ann@example.test", List.of(ANN),
                List.of("ann@away.test"), List.of("ann@example.test"), "rfc822;Ann@example.test"));
    }

    @Test
    void forwardingElsewhereShouldBeRefusedForNowWhenNothingIsQueued() {
        Recipient recipient = new Recipient.Resolved(List.of(), List.of("ann@away.test"), List.of("a@example.test"));

        Admission admission = LOCAL_ONLY.route(recipient, request("a@example.test", false));

        assertThat(((Admission.Refused) admission).reply().line()).startsWith("451 4.3.5 <a@example.test>: ");
    }

    @Test
    void aPersonOnALegacySystemShouldBeAdmittedForItsMtaOrRefusedForNowWhenItHasNone() {
        Recipient.Legacy relayed = new Recipient.Legacy("ann@example.test", "campus", true);
        Admission admitted = QUEUEING.route(new Recipient.Resolved(List.of(), List.of(), List.of(),
                List.of(relayed)), request("ann@example.test", false));
        assertThat(((Admission.Admitted) admitted).legacy()).containsExactly(relayed);

        Admission refused = QUEUEING.route(new Recipient.Resolved(List.of(), List.of(), List.of(),
                List.of(new Recipient.Legacy("ann@example.test", "nosmtp", false))), request("ann@example.test", false));
        assertThat(((Admission.Refused) refused).reply().line()).startsWith("451 4.3.5 <ann@example.test>: ")
                .contains("legacy system nosmtp");
    }

    @Test
    void anUnknownLocalUserShouldBeLeftToTheProtocol() {
        assertThat(QUEUEING.route(new Recipient.UnknownLocal("x@example.test"), request("x@example.test", true)))
                .isEqualTo(new Admission.UnknownUser("x@example.test"));
    }

    @Test
    void anUnroutableAddressShouldBeRefusedWithItsReason() {
        Admission admission = QUEUEING.route(new Recipient.Unroutable("l@example.test", "an alias loop"),
                request("l@example.test", false));

        assertThat(((Admission.Refused) admission).reply().line()).isEqualTo("550 5.4.6 <l@example.test>: an alias loop");
    }

    @Test
    void anotherDomainShouldBeARelayAttemptUnlessTheSenderMayRelay() {
        Recipient remote = new Recipient.Remote("b@remote.test");

        assertThat(((Admission.Refused) QUEUEING.route(remote, request("b@remote.test", false))).reply().line())
                .isEqualTo("554 5.7.1 <b@remote.test>: Relay access denied");
        assertThat(((Admission.Refused) LOCAL_ONLY.route(remote, request("b@remote.test", true))).reply().line())
                .startsWith("550 5.7.1 <b@remote.test>: delivery to other domains is not enabled");
        assertThat(QUEUEING.route(remote, request("b@remote.test", true))).isEqualTo(
                new Admission.Admitted("b@remote.test", List.of(), List.of("b@remote.test"), List.of(), null));
    }
}
