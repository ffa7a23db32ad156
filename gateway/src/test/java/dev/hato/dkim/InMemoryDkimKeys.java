package dev.hato.dkim;

import dev.hato.store.keys.DkimKey;
import dev.hato.store.keys.DkimKeyException;
import dev.hato.store.keys.DkimKeys;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/** DkimKeys in a list, for signer tests that need no database; counts the signer's lookups. */
final class InMemoryDkimKeys implements DkimKeys {

    private final List<DkimKey> keys = new CopyOnWriteArrayList<>();
    final AtomicInteger lookups = new AtomicInteger();
    /** Where lookups answer, as a database driver answers on its own event loop; null: on the caller's thread. */
    volatile @Nullable Scheduler answerOn;

    @Override
    public synchronized Mono<DkimKey> add(DkimKey key) {
        if (keys.stream().anyMatch(k -> k.domain().equals(key.domain()) && k.selector().equals(key.selector()))) {
            return Mono.error(new DkimKeyException(DkimKeyException.Reason.DUPLICATE_SELECTOR, key.recordName()));
        }
        if (key.active()) {
            keys.replaceAll(k -> k.domain().equals(key.domain()) && k.algorithm().equals(key.algorithm())
                    ? k.withActive(false) : k);
        }
        keys.add(key);
        return Mono.just(key);
    }

    @Override
    public Flux<DkimKey> activeKeys(String domain) {
        return Flux.defer(() -> {
            lookups.incrementAndGet();
            Flux<DkimKey> found = Flux.fromIterable(keys).filter(k -> k.domain().equals(domain) && k.active())
                    .sort(Comparator.comparing(DkimKey::algorithm));
            Scheduler scheduler = answerOn;
            return scheduler == null ? found : found.publishOn(scheduler);
        });
    }

    @Override
    public Flux<DkimKey> keys(@Nullable String domain) {
        return Flux.fromIterable(keys).filter(k -> domain == null || k.domain().equals(domain));
    }

    @Override
    public Mono<DkimKey> activate(String domain, String selector) {
        return Mono.error(new UnsupportedOperationException("not needed by the signer tests"));
    }

    @Override
    public Mono<Void> remove(String domain, String selector) {
        keys.removeIf(k -> k.domain().equals(domain) && k.selector().equals(selector));
        return Mono.empty();
    }
}
