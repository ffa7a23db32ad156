package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.delivery.AcceptedRecipients;
import dev.hato.delivery.Admission;
import dev.hato.delivery.DeliveryPipeline;
import dev.hato.delivery.DeliveryResult;
import dev.hato.delivery.DeliverySettings;
import dev.hato.delivery.ExpandStep;
import dev.hato.delivery.FilterStep;
import dev.hato.delivery.GeneratedDelivery;
import dev.hato.delivery.Hops;
import dev.hato.delivery.InboundMessage;
import dev.hato.delivery.LoopStep;
import dev.hato.delivery.MessageSpool;
import dev.hato.delivery.QuotaStep;
import dev.hato.delivery.RecipientResolver;
import dev.hato.delivery.RecipientVerdict;
import dev.hato.delivery.ReportStep;
import dev.hato.delivery.ResolveStep;
import dev.hato.delivery.RouteStep;
import dev.hato.delivery.StoreStep;
import dev.hato.dsn.DeliveryReports;
import dev.hato.store.queue.Envelope;
import dev.hato.store.queue.OutboundRecipient.Notify;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;

/**
 * The whole delivery pipeline on the real store, as the composition root assembles it but without a protocol:
 * recipients are admitted, the message is delivered, and each recipient gets a verdict; notifications (the report
 * step) reach the sender through the pipeline's own path for generated mail.
 */
class DeliveryPipelineTest {

    private static final RunningHato HATO = RunningHato.shared();
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path spoolDirectory;

    private DeliveryPipeline pipeline() {
        DeliverySettings settings = DeliverySettings.defaults().withMaxHops(5);
        ResolveStep resolve = new ResolveStep(HATO.store().addresses(), RunningHato.HOST, null);
        ExpandStep expand = new ExpandStep(HATO.store().addresses(), "+");
        StoreStep store = new StoreStep(HATO.store().deliveries());
        GeneratedDelivery generated = new GeneratedDelivery(new RecipientResolver(resolve, expand), store, settings,
                Clock.systemUTC());
        ReportStep reports = new ReportStep(DeliveryWiring.reports(RunningHato.HOST, spoolDirectory,
                Schedulers.boundedElastic(), generated));
        return new DeliveryPipeline(new DeliveryPipeline.Steps(resolve, expand, new RouteStep(settings),
                new QuotaStep(HATO.store().mailboxes()::quotaToEnforce), new LoopStep(settings.maxHops()),
                new FilterStep(), store, reports), Clock.systemUTC());
    }

    private MessageSpool spool(String text) {
        MessageSpool spool = new MessageSpool(spoolDirectory, 1 << 20, Schedulers.boundedElastic(),
                DeliveryWiring.indexer().reader());
        spool.append(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))).block(WAIT);
        return spool;
    }

    private static Envelope from(RunningHato.User sender) {
        return new Envelope(sender.address(), null, null, false, Envelope.Body.SEVEN_BIT);
    }

    @Test
    void eachRecipientShouldGetItsVerdictAndTheSenderItsNotifications() {
        DeliveryPipeline pipeline = pipeline();
        RunningHato.User ann = HATO.newUser("ann");
        RunningHato.User small = HATO.newUser("small");
        RunningHato.User bob = HATO.newUser("bob");
        HATO.store().mailboxes().setQuota(small.accountId(), 100L, null).block(WAIT);
        AcceptedRecipients recipients = new AcceptedRecipients();

        assertThat(pipeline.admit(recipients, DeliveryStepsTest.request(small.address(), Set.of())).block(WAIT))
                .isInstanceOf(Admission.Admitted.class);
        assertThat(pipeline.admit(recipients, DeliveryStepsTest.request(bob.address(), EnumSet.of(Notify.SUCCESS)))
                .block(WAIT)).isInstanceOf(Admission.Admitted.class);
        DeliveryResult result = pipeline.deliver(new InboundMessage("m1", from(ann),
                DeliveryReports.Origin.UNAUTHENTICATED, spool("Subject: two\r\n\r\n" + "x".repeat(200) + "\r\n"),
                recipients, Hops.NONE)).block(WAIT);

        assertThat(result.accepted()).isTrue();
        assertThat(result.stored()).isEqualTo(1);
        assertThat(result.verdicts()).containsExactly(
                new RecipientVerdict.Failed(small.address(), new dev.hato.delivery.DeliveryReply(552, "5.2.2",
                        "Mailbox full: quota exceeded")),
                new RecipientVerdict.Delivered(bob.address()));
        assertThat(HATO.inbox(bob)).hasSize(1);
        assertThat(HATO.inbox(small)).isEmpty();
        Eventually.until(() -> !HATO.inbox(ann).isEmpty(), "notifications to " + ann.address(), WAIT);
        assertThat(new String(HATO.content(HATO.inbox(ann).get(0)), StandardCharsets.UTF_8))
                .contains("Action: failed").contains("Action: delivered");
    }

    @Test
    void aLoopingMessageShouldFailForEveryRecipientAndStoreNothing() {
        DeliveryPipeline pipeline = pipeline();
        RunningHato.User ann = HATO.newUser("ann");
        RunningHato.User bob = HATO.newUser("bob");
        AcceptedRecipients recipients = new AcceptedRecipients();
        pipeline.admit(recipients, DeliveryStepsTest.request(bob.address(), Set.of())).block(WAIT);

        DeliveryResult result = pipeline.deliver(new InboundMessage("m2", from(ann),
                DeliveryReports.Origin.UNAUTHENTICATED, spool("Subject: loop\r\n\r\nagain\r\n"), recipients,
                new Hops(5, Set.of()))).block(WAIT);

        assertThat(result.accepted()).isFalse();
        assertThat(result.firstFailure().line()).startsWith("554 5.4.6 Message refused: too many hops (6 ");
        assertThat(HATO.inbox(bob)).isEmpty();
    }

    @Test
    void aMessageOverEveryQuotaShouldBeRefusedAsAWhole() {
        DeliveryPipeline pipeline = pipeline();
        RunningHato.User ann = HATO.newUser("ann");
        RunningHato.User small = HATO.newUser("small");
        HATO.store().mailboxes().setQuota(small.accountId(), 100L, null).block(WAIT);
        AcceptedRecipients recipients = new AcceptedRecipients();
        pipeline.admit(recipients, DeliveryStepsTest.request(small.address(), Set.of())).block(WAIT);

        DeliveryResult result = pipeline.deliver(new InboundMessage("m3", from(ann),
                DeliveryReports.Origin.UNAUTHENTICATED, spool("Subject: big\r\n\r\n" + "x".repeat(200) + "\r\n"),
                recipients, Hops.NONE)).block(WAIT);

        assertThat(result.verdicts()).hasSize(1);
        assertThat(result.firstFailure().line())
                .isEqualTo("552 5.2.2 Mailbox full: the message exceeds the quota of every recipient");
        assertThat(HATO.inbox(small)).isEmpty();
    }

    @Test
    void anUnknownUserAndAnotherDomainShouldNotBeAdmitted() {
        DeliveryPipeline pipeline = pipeline();
        AcceptedRecipients recipients = new AcceptedRecipients();
        String nobody = "nobody-" + System.nanoTime() + "@" + RunningHato.DOMAIN;

        assertThat(pipeline.admit(recipients, DeliveryStepsTest.request(nobody, Set.of())).block(WAIT))
                .isEqualTo(new Admission.UnknownUser(nobody));
        assertThat(pipeline.admit(recipients, DeliveryStepsTest.request("b@remote.example", Set.of())).block(WAIT))
                .isInstanceOfSatisfying(Admission.Refused.class,
                        refused -> assertThat(refused.reply().code()).isEqualTo(554));
        assertThat(recipients.count()).isZero();
    }
}
