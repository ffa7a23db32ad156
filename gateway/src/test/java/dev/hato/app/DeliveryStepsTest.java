package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.delivery.AcceptedRecipients;
import dev.hato.delivery.Admission;
import dev.hato.delivery.DeliverySettings;
import dev.hato.delivery.ExpandStep;
import dev.hato.delivery.GeneratedDelivery;
import dev.hato.delivery.MessageSpool;
import dev.hato.delivery.QuotaStep;
import dev.hato.delivery.Recipient;
import dev.hato.delivery.RecipientRequest;
import dev.hato.delivery.RecipientResolver;
import dev.hato.delivery.ResolveStep;
import dev.hato.delivery.StoreStep;
import dev.hato.store.directory.Account;
import dev.hato.store.mail.DeliveryReceipt;
import dev.hato.store.queue.Envelope;
import dev.hato.store.queue.OutboundRecipient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;

/**
 * The delivery pipeline's steps that read or write the store, each on its own, against the real store (embedded
 * PostgreSQL). The steps without the store have unit tests in dev.hato.delivery; the whole pipeline is
 * {@link DeliveryPipelineTest}.
 */
class DeliveryStepsTest {

    private static final RunningHato HATO = RunningHato.shared();
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path spoolDirectory;

    private final ResolveStep resolve = new ResolveStep(HATO.store().addresses(), RunningHato.HOST,
            "postmaster@" + RunningHato.DOMAIN);
    private final ExpandStep expand = new ExpandStep(HATO.store().addresses(), "+");
    private final StoreStep store = new StoreStep(HATO.store().deliveries());

    private MessageSpool spool(String text) {
        MessageSpool spool = new MessageSpool(spoolDirectory, 1 << 20, Schedulers.boundedElastic(),
                DeliveryWiring.indexer().reader());
        spool.append(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))).block(WAIT);
        spool.finish().block(WAIT);
        return spool;
    }

    @Test
    void resolveShouldTellLocalAddressesFromOtherDomainsAndMapTheServersPostmaster() {
        RunningHato.User ann = HATO.newUser("ann");

        ResolveStep.Resolution local = resolve.resolve(ann.address().toUpperCase()).block(WAIT);
        ResolveStep.Resolution postmaster = resolve.resolve("postmaster@" + RunningHato.HOST).block(WAIT);

        assertThat(local).isInstanceOfSatisfying(ResolveStep.Local.class, found -> {
            assertThat(found.normalized()).isEqualTo(ann.address());
            assertThat(found.route().account()).extracting(Account::id).isEqualTo(ann.accountId());
        });
        assertThat(postmaster).isInstanceOfSatisfying(ResolveStep.Local.class,
                found -> assertThat(found.normalized()).isEqualTo("postmaster@" + RunningHato.DOMAIN));
        assertThat(resolve.resolve("b@remote.example").block(WAIT))
                .isEqualTo(new ResolveStep.NotLocal("b@remote.example"));
    }

    @Test
    void expandShouldReachTheAccountOfAPlusAddressAndLeaveUnknownUsersUnknown() {
        RunningHato.User ann = HATO.newUser("ann");
        String tagged = ann.address().replace("@", "+news@");

        Recipient reached = expand.expand((ResolveStep.Local) resolve.resolve(tagged).block(WAIT)).block(WAIT);
        Recipient unknown = expand.expand((ResolveStep.Local) resolve.resolve("nobody-" + System.nanoTime() + "@"
                + RunningHato.DOMAIN).block(WAIT)).block(WAIT);

        assertThat(reached).isInstanceOfSatisfying(Recipient.Resolved.class,
                resolved -> assertThat(resolved.accounts()).extracting(Account::id).containsExactly(ann.accountId()));
        assertThat(unknown).isInstanceOf(Recipient.UnknownLocal.class);
    }

    @Test
    void quotaShouldRefuseARecipientWhoseMailboxIsFullUnlessACopyGoesElsewhere() {
        RunningHato.User full = HATO.newUser("full");
        HATO.store().mailboxes().setQuota(full.accountId(), 0L, null).block(WAIT);
        Account account = account(full);
        QuotaStep quota = new QuotaStep(HATO.store().mailboxes()::quotaToEnforce);

        Admission local = quota.admit(new AcceptedRecipients(), new Admission.Admitted(full.address(),
                List.of(account), List.of(), List.of(), null)).block(WAIT);
        Admission forwarded = quota.admit(new AcceptedRecipients(), new Admission.Admitted(full.address(),
                List.of(account), List.of("full@away.example"), List.of(full.address()), null)).block(WAIT);

        assertThat(local).isInstanceOfSatisfying(Admission.Refused.class, refused ->
                assertThat(refused.reply().line()).isEqualTo("452 4.2.2 <" + full.address()
                        + ">: Mailbox full, try again later"));
        assertThat(forwarded).isInstanceOf(Admission.Admitted.class);
    }

    @Test
    void quotaShouldNameTheAccountsAMessageWouldTakeOverTheirLimit() {
        RunningHato.User small = HATO.newUser("small");
        RunningHato.User roomy = HATO.newUser("roomy");
        HATO.store().mailboxes().setQuota(small.accountId(), 100L, null).block(WAIT);
        QuotaStep quota = new QuotaStep(HATO.store().mailboxes()::quotaToEnforce);

        assertThat(quota.overQuota(new AcceptedRecipients(), List.of(small.accountId(), roomy.accountId()), 500)
                .block(WAIT)).containsExactly(small.accountId());
        assertThat(quota.overQuota(new AcceptedRecipients(), List.of(small.accountId(), roomy.accountId()), 50)
                .block(WAIT)).isEmpty();
        assertThat(new QuotaStep(null).overQuota(new AcceptedRecipients(), List.of(small.accountId()), 500)
                .block(WAIT)).isEmpty();
    }

    @Test
    void storeShouldAppendToEveryInboxAndQueueForElsewhereInOneCommit() {
        RunningHato.User ann = HATO.newUser("ann");
        RunningHato.User bob = HATO.newUser("bob");
        MessageSpool content = spool("Subject: stored\r\n\r\nbody\r\n");

        DeliveryReceipt receipt = store.store(content, content.facts(), List.of(ann.accountId(), bob.accountId()),
                Instant.now(), Envelope.NONE, List.of(new OutboundRecipient("c@remote.example"))).block(WAIT);
        content.discard();

        assertThat(receipt.messages()).hasSize(2);
        assertThat(receipt.queuedMessageId()).isNotNull();
        assertThat(HATO.inbox(ann)).hasSize(1);
        assertThat(new String(HATO.content(HATO.inbox(bob).get(0)), StandardCharsets.UTF_8))
                .isEqualTo("Subject: stored\r\n\r\nbody\r\n");
    }

    @Test
    void generatedMailShouldReachALocalSenderAndBeRefusedWhereItCannotGo() {
        RunningHato.User ann = HATO.newUser("ann");
        GeneratedDelivery local = new GeneratedDelivery(new RecipientResolver(resolve, expand), store,
                DeliverySettings.defaults(), Clock.systemUTC());
        GeneratedDelivery queueing = new GeneratedDelivery(new RecipientResolver(resolve, expand), store,
                DeliverySettings.defaults().withRemoteDelivery(true), Clock.systemUTC());

        GeneratedDelivery.Destination toAnn = local.route(ann.address()).block(WAIT);
        MessageSpool report = spool("Subject: report\r\n\r\nabout your mail\r\n");
        local.deliver(toAnn, report, Envelope.NONE).block(WAIT);
        report.discard();

        assertThat(toAnn).isEqualTo(new GeneratedDelivery.Local(List.of(ann.accountId())));
        assertThat(HATO.inbox(ann)).hasSize(1);
        assertThat(local.route("nobody-" + System.nanoTime() + "@" + RunningHato.DOMAIN).block(WAIT))
                .isInstanceOf(GeneratedDelivery.Unreachable.class);
        assertThat(local.route("b@remote.example").block(WAIT)).isInstanceOf(GeneratedDelivery.Unreachable.class);
        assertThat(queueing.route("b@remote.example").block(WAIT))
                .isEqualTo(new GeneratedDelivery.Remote("b@remote.example"));
    }

    private static Account account(RunningHato.User user) {
        return HATO.store().directory().findByAddress(user.address()).block(WAIT);
    }

    static RecipientRequest request(String address, Set<OutboundRecipient.Notify> notify) {
        return new RecipientRequest(address, notify, null, false, false);
    }
}
