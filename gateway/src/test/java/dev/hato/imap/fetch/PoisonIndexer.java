package dev.hato.imap.fetch;

import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.scheduler.Schedulers;

/**
 * A {@link MessageIndexer} whose parser fails as a bug would, with an unexpected exception, on every message holding
 * the {@link #POISON} header field (in its header or, when it has no header, in its text), and parses the others as
 * Hato's does; it counts the messages it failed on.
 */
public final class PoisonIndexer {

    /** The header field that makes the parser fail. */
    public static final String POISON = "X-Poison: yes";

    private static final StructureScanner SCANNER = new StructureScanner(16, 64 * 1024, 10_000);

    /** How many times the parser was run on a poisoned message. */
    public final AtomicInteger failures = new AtomicInteger();

    /** The indexer, failing with {@code failure} on poisoned messages. */
    public final MessageIndexer indexer;

    public PoisonIndexer(Throwable failure) {
        this.indexer = new MessageIndexer(SCANNER, parsed -> {
            boolean poisoned = parsed.bodyText().contains(POISON) || parsed.topFields().stream().anyMatch(
                    field -> (field.name() + ":" + field.value()).equals(POISON));
            if (poisoned) {
                failures.incrementAndGet();
                if (failure instanceof Error error) {
                    throw error;
                }
                throw (RuntimeException) failure;
            }
            return SCANNER.describe(parsed.root());
        }, Schedulers.boundedElastic(), MessageIndexer.DEFAULT_MAX_BODY_CHARS, 16);
    }

    public PoisonIndexer() {
        this(new IllegalStateException("a parser bug"));
    }
}
