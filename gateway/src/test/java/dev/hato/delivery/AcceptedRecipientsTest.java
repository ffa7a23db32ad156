package dev.hato.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.dsn.RecipientReport;
import dev.hato.store.directory.Account;
import dev.hato.store.queue.OutboundRecipient;
import dev.hato.store.queue.OutboundRecipient.Notify;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AcceptedRecipientsTest {

    private static final Account ANN = new Account(1, 1, "ann@example.test", "ann.a-1", "Ann", null);
    private static final Account BOB = new Account(2, 1, "bob@example.test", "bob.b-2", "Bob", null);

    private static RecipientRequest request(String address, Set<Notify> notify) {
        return new RecipientRequest(address, notify, null, false, false);
    }

    @Test
    void aRecipientExpandedToSeveralTargetsShouldBeReportedExpandedAndItsTargetsNotifiedWithoutSuccess() {
        AcceptedRecipients recipients = new AcceptedRecipients();
        RecipientRequest request = request("team@example.test", EnumSet.of(Notify.SUCCESS, Notify.FAILURE));

        recipients.accept(request, new Admission.Admitted("team@example.test", List.of(ANN),
                List.of("carol@away.test"), List.of("team@example.test"), request.onwardOrcpt()));

        assertThat(recipients.outbound()).containsExactly(new OutboundRecipient("carol@away.test",
                Set.of(Notify.FAILURE), "rfc822;team@example.test"));
        assertThat(recipients.reports(Set.of())).extracting(RecipientReport::action)
                .containsExactly(RecipientReport.Action.EXPANDED);
    }

    @Test
    void aOneToOneForwardShouldPassItsNotifyOnUnchanged() {
        AcceptedRecipients recipients = new AcceptedRecipients();
        RecipientRequest request = request("ann@example.test", EnumSet.of(Notify.SUCCESS));

        recipients.accept(request, new Admission.Admitted("ann@example.test", List.of(), List.of("ann@away.test"),
                List.of("ann@example.test"), request.onwardOrcpt()));

        assertThat(recipients.outbound().get(0).notifyOn()).containsExactly(Notify.SUCCESS);
        assertThat(recipients.reports(Set.of())).isEmpty();
    }

    @Test
    void aPersonOnALegacySystemShouldBeQueuedForItsMtaAsARelayWouldWithoutAnSrsSender() {
        AcceptedRecipients recipients = new AcceptedRecipients();
        RecipientRequest request = request("ann@example.test", EnumSet.of(Notify.SUCCESS));

        recipients.accept(request, new Admission.Admitted("ann@example.test", List.of(), List.of(), List.of(),
                request.onwardOrcpt(), List.of(new Recipient.Legacy("ann@example.test", "campus", true))));

        assertThat(recipients.outbound()).containsExactly(new OutboundRecipient("ann@example.test",
                Set.of(Notify.SUCCESS), "rfc822;ann@example.test", null, "campus"));
        assertThat(recipients.transportOf("ann@example.test")).isEqualTo("campus");
        assertThat(recipients.forwardedVia("ann@example.test")).isNull();
        assertThat(recipients.queuesOutbound()).isTrue();
        assertThat(recipients.reached().get(0).remote()).containsExactly("ann@example.test");
        assertThat(recipients.reports(Set.of())).isEmpty();
    }

    @Test
    void anAccountOverQuotaShouldTurnItsRecipientsSuccessIntoAFailureReport() {
        AcceptedRecipients recipients = new AcceptedRecipients();
        recipients.accept(request("ann@example.test", EnumSet.of(Notify.SUCCESS, Notify.FAILURE)),
                new Admission.Admitted("ann@example.test", List.of(ANN), List.of(), List.of(), null));
        recipients.accept(request("bob@example.test", EnumSet.of(Notify.SUCCESS)),
                new Admission.Admitted("bob@example.test", List.of(BOB), List.of(), List.of(), null));

        List<RecipientReport> reports = recipients.reports(Set.of(1L));

        assertThat(reports).extracting(RecipientReport::finalRecipient, RecipientReport::action, RecipientReport::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("ann@example.test", RecipientReport.Action.FAILED, "5.2.2"),
                        org.assertj.core.groups.Tuple.tuple("bob@example.test", RecipientReport.Action.DELIVERED,
                                "2.0.0"));
        assertThat(reports.get(0).diagnostic()).isEqualTo("smtp; 552 5.2.2 Mailbox full: quota exceeded");
    }

    @Test
    void aRecipientThatAskedNotifyWithoutFailureShouldGetNoFailureReport() {
        AcceptedRecipients recipients = new AcceptedRecipients();
        recipients.accept(request("ann@example.test", EnumSet.of(Notify.DELAY)),
                new Admission.Admitted("ann@example.test", List.of(ANN), List.of(), List.of(), null));

        assertThat(recipients.reports(Set.of(1L))).isEmpty();
    }

    @Test
    void deliveredToShouldNameForwardersOnlyForOneRecipientWhoseMessageLeaves() {
        AcceptedRecipients one = new AcceptedRecipients();
        one.accept(request("ann@example.test", Set.of()), new Admission.Admitted("ann@example.test", List.of(),
                List.of("ann@away.test"), List.of("ann@example.test"), null));
        AcceptedRecipients two = new AcceptedRecipients();
        two.accept(request("ann@example.test", Set.of()), new Admission.Admitted("ann@example.test", List.of(),
                List.of("ann@away.test"), List.of("ann@example.test"), null));
        two.accept(request("bob@example.test", Set.of()), new Admission.Admitted("bob@example.test", List.of(BOB),
                List.of(), List.of(), null));

        assertThat(one.deliveredTo()).containsExactly("ann@example.test");
        // a shared blob must not reveal one recipient's forwarding to the others
        assertThat(two.deliveredTo()).isEmpty();
        assertThat(two.count()).isEqualTo(2);
        assertThat(two.accountIds()).containsExactly(2L);
    }
}
