package dev.hato.store.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.directory.Account;
import dev.hato.store.directory.NewAccount;
import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.Mailboxes.MailboxEvent;
import dev.hato.store.mail.MailboxesContract;
import dev.hato.store.mail.TestContent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.BaseSubscriber;

/** The change feed's own rules, beyond what every Mailboxes implementation must do. */
class MailboxFeedTest {

    @RegisterExtension
    static final EmbeddedStore STORE = new EmbeddedStore();

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aSubscriberThatFallsBehindShouldLoseTheOldestEventsAndBeToldThatAnythingMayHaveChanged() {
        PgStore store = STORE.store();
        store.directory().addDomain("feed.example").block(WAIT);
        Account account = store.directory().addAccount(new NewAccount("f@feed.example", "f.feed", "F", null))
                .block(WAIT);
        MailboxInfo inbox = store.mailboxes().find(account.id(), "INBOX").block(WAIT);
        try (MailboxFeed feed = new MailboxFeed(store.unpooledConnections()::create, Duration.ofMillis(100), 3)) {
            var slow = new Slow();
            feed.events().subscribe(slow);
            var witness = new MailboxesContract.Events(feed.events());
            try (witness) {
                witness.listening();
                long last = 0;
                for (int i = 0; i < 12; i++) {
                    last = store.mailboxes().append(account.id(), inbox.id(), TestContent.unique("m" + i),
                            MailboxesContract.facts("m" + i), Set.of(), Instant.now()).block(WAIT).modseq();
                    long expected = last;
                    // Once the witness has it, the slow subscriber has been offered it too: one sink, one thread.
                    witness.await(e -> e.modseq() == expected);
                }
                long lastModseq = last;

                slow.request(Long.MAX_VALUE);

                var received = slow.awaitModseq(lastModseq);
                List<MailboxEvent> forInbox = received.stream().filter(e -> e.mailboxId() == inbox.id()).toList();
                assertThat(forInbox.size()).as("the oldest were dropped").isLessThan(12);
                assertThat(received).as("the first one says LISTEN is active, the second that events were lost")
                        .filteredOn(MailboxEvent::isAnything).hasSize(2);
                assertThat(received.get(received.size() - 1)).isEqualTo(new MailboxEvent(inbox.id(), lastModseq));
                assertThat(received.indexOf(MailboxEvent.anything())).isLessThan(received.indexOf(forInbox.get(0)));
            }
            slow.dispose();
        }
    }

    /** Takes nothing until told to. */
    private static final class Slow extends BaseSubscriber<MailboxEvent> {
        private final List<MailboxEvent> received = new CopyOnWriteArrayList<>();

        @Override
        protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
            // no demand yet
        }

        @Override
        protected void hookOnNext(MailboxEvent event) {
            received.add(event);
        }

        List<MailboxEvent> awaitModseq(long modseq) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (received.stream().noneMatch(e -> e.modseq() == modseq)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no event with modseq " + modseq + " in " + received);
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
            return List.copyOf(received);
        }
    }
}
