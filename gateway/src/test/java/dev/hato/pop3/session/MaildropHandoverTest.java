package dev.hato.pop3.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class MaildropHandoverTest {

    private final MaildropHandover handover = new MaildropHandover(Duration.ofSeconds(5));

    @Test
    void withNoHolderHereALoginShouldTryAgainAtOnce() {
        StepVerifier.create(handover.released(1, 2)).expectNext(true).verifyComplete();
    }

    @Test
    void aHolderWhoseCloseIsReadAfterTheNewLoginShouldStillHandOver() {
        MaildropHandover.Holder holder = handover.held(1, 2);
        // The old connection's close is read 300 ms after the new login asked, its release 200 ms later.
        Mono.delay(Duration.ofMillis(300), Schedulers.parallel()).doOnNext(t -> holder.going())
                .delayElement(Duration.ofMillis(200), Schedulers.parallel()).subscribe(t -> holder.released());
        StepVerifier.create(handover.released(1, 2)).expectNext(true).verifyComplete();
        assertThat(handover.size()).isZero();
    }

    @Test
    void aHolderThatStaysLiveShouldBeInUseAfterTheGrace() {
        handover.held(1, 2);
        long start = System.nanoTime();
        StepVerifier.create(handover.released(1, 2)).expectNext(false).verifyComplete();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(MaildropHandover.GRACE);
    }

    @Test
    void aGoingHolderThatNeverReleasesShouldBeInUseAfterThePatience() {
        MaildropHandover quick = new MaildropHandover(Duration.ofMillis(200));
        quick.held(1, 2).going();
        StepVerifier.create(quick.released(1, 2)).expectNext(false).verifyComplete();
    }
}
