package dev.hato.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.dsn.DeliveryReports;
import dev.hato.store.mail.Copy;
import dev.hato.store.queue.Envelope;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;

class FilterStepTest {

    @Test
    void withoutFiltersEveryAccountShouldKeepItsCopyInItsInboxInOrder(@TempDir Path spool) {
        MessageSpool content = new MessageSpool(spool, 1024, Schedulers.immediate());
        InboundMessage message = new InboundMessage("id1", Envelope.NONE, DeliveryReports.Origin.UNAUTHENTICATED,
                content, new AcceptedRecipients(), Hops.NONE);

        FilterDecision decision = new FilterStep().filter(message, content, List.of(9L, 3L, 5L)).block();

        assertThat(decision.copies()).containsExactly(Copy.inbox(9), Copy.inbox(3), Copy.inbox(5));
        assertThat(decision.redirects()).isEmpty();
        assertThat(decision.rejected()).isEmpty();
        content.discard();
    }
}
