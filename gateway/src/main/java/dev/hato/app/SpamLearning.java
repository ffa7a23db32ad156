package dev.hato.app;

import dev.hato.imap.session.JunkReports;
import dev.hato.inbound.transport.RspamdLearner;
import dev.hato.store.directory.Account;
import dev.hato.store.mail.Blobs;
import dev.hato.store.mail.MessageMeta;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The spam filter learns from what people move into and out of Junk over IMAP: each message, read from the store,
 * goes to rspamd's controller in the background (two at a time), at most {@link #MAX_PER_REPORT} per command and
 * none larger than the filter's size limit; what could not be taught is logged, never retried and never turned into
 * an IMAP error.
 */
final class SpamLearning implements JunkReports {

    static final int MAX_PER_REPORT = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(SpamLearning.class);

    private final RspamdLearner learner;
    private final Blobs blobs;
    private final long maxSize;

    SpamLearning(RspamdLearner learner, Blobs blobs, long maxSize) {
        this.learner = learner;
        this.blobs = blobs;
        this.maxSize = maxSize;
    }

    @Override
    public void report(Account account, List<MessageMeta> messages, boolean spam) {
        String what = spam ? "spam" : "ham";
        if (messages.size() > MAX_PER_REPORT) {
            LOG.warn("spam learning: {} moved {} messages as {}; only the first {} are taught", account.authId(),
                    messages.size(), what, MAX_PER_REPORT);
        }
        AtomicInteger learnt = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        Flux.fromIterable(messages.subList(0, Math.min(messages.size(), MAX_PER_REPORT)))
                .filter(message -> message.size() <= maxSize)
                .flatMap(message -> learner.learn(spam, blobs.content(message.blobId()), message.size())
                        .doOnNext(outcome -> learnt.incrementAndGet())
                        .onErrorResume(failure -> {
                            if (failed.getAndIncrement() == 0) {
                                LOG.warn("spam learning: message {} of {} as {}: {}", message.uid(),
                                        account.authId(), what, failure.toString());
                            }
                            return Mono.empty();
                        }), 2)
                .then(Mono.fromRunnable(() -> LOG.info("spam learning: {} of {} messages of {} taught as {}{}",
                        learnt.get(), messages.size(), account.authId(), what,
                        failed.get() == 0 ? "" : ", " + failed.get() + " failed")))
                .subscribe();
    }
}
