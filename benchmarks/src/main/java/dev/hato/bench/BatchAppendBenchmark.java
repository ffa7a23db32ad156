package dev.hato.bench;

import dev.hato.delivery.MessageSpool;
import dev.hato.store.directory.Account;
import dev.hato.store.directory.NewAccount;
import dev.hato.store.mail.Delivery;
import dev.hato.store.mail.DeliveryReceipt;
import dev.hato.store.pg.PgStore;
import dev.hato.store.pg.StoreSettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The store end of the hot path against a real, durable embedded PostgreSQL ({@code fsync} and
 * {@code synchronous_commit} on, as Hato runs it): {@value #CONCURRENT} messages handed to
 * {@link dev.hato.store.mail.DeliveryWriter#deliver} at once, as {@value #CONCURRENT} SMTP sessions ending their
 * DATA at the same moment do, each to its own account's INBOX; the operation ends when every one is committed. The
 * batcher (default window and size) puts them in one transaction: blob rows, the chunks by COPY, UID reservations,
 * message and change rows, NOTIFY, one commit.
 *
 * <p>Each message is unique (its Message-ID carries a counter), so every delivery writes its blob, as distinct SMTP
 * messages do, and goes through a {@link MessageSpool} (SHA-256 and size, memory only at these sizes) as the
 * session's content does. Scores are per message ({@link OperationsPerInvocation}): ns/op is the wall time of the
 * batch divided by {@value #CONCURRENT}, and {@code gc.alloc.rate.norm} counts what every thread of the JVM
 * allocated (the R2DBC driver's event loop included), divided the same way.
 *
 * <p>Not final: JMH generates subclasses of benchmark classes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BatchAppendBenchmark {

    /** Deliveries started together per operation. */
    static final int CONCURRENT = 20;

    /** The same limit the SMTP session gives its spool: these messages stay in memory. */
    private static final int SPOOL_MEMORY = 1024 * 1024;

    /** Eight hex digits of {@link Messages#message}'s Message-ID, overwritten with a counter. */
    private static final byte[] STAMP = "4f2a9c1e@client".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** Message size in octets. */
    @Param({"1024", "10240", "102400"})
    public int size;

    private Path dataDirectory = Path.of(".");
    private PgStore store;
    private Scheduler io;
    private final List<Long> accounts = new ArrayList<>();
    /** One message per concurrent delivery; restamped (in place) by every operation. */
    private final List<byte[]> messages = new ArrayList<>();
    private int stampAt;
    private long counter;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dataDirectory = Files.createTempDirectory("hato-bench-store-");
        io = Schedulers.newBoundedElastic(4, 1000, "bench-spool");
        store = PgStore.open(StoreSettings.defaults(dataDirectory));
        store.directory().addDomain("bench.example").block();
        for (int i = 0; i < CONCURRENT; i++) {
            Account account = store.directory().addAccount(
                    new NewAccount("user" + i + "@bench.example", "user" + i + ".bench", "User " + i, null)).block();
            accounts.add(account.id());
            messages.add(Messages.message(size));
        }
        stampAt = indexOf(messages.get(0), STAMP);
        // Every delivery must be committed and distinct: check the first batch before measuring anything.
        List<DeliveryReceipt> receipts = deliverAll();
        if (receipts.size() != CONCURRENT
                || receipts.stream().map(DeliveryReceipt::blobId).distinct().count() != CONCURRENT
                || receipts.stream().anyMatch(receipt -> receipt.messages().size() != 1
                        || receipt.messages().get(0).size() != size)) {
            throw new IllegalStateException("the first batch did not store " + CONCURRENT + " distinct messages of "
                    + size + " octets: " + receipts);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        io.dispose();
        DataDirectory.delete(dataDirectory);
    }

    @Benchmark
    @OperationsPerInvocation(CONCURRENT)
    public List<DeliveryReceipt> deliver() {
        return deliverAll();
    }

    private List<DeliveryReceipt> deliverAll() {
        List<MessageSpool> spools = new ArrayList<>(CONCURRENT);
        for (int i = 0; i < CONCURRENT; i++) {
            byte[] message = messages.get(i);
            stamp(message, counter++);
            MessageSpool spool = new MessageSpool(dataDirectory.resolve("spool"), SPOOL_MEMORY, io);
            spool.append(ByteBuffer.wrap(message)).block();
            spools.add(spool);
        }
        Instant now = Instant.now();
        try {
            return Flux.range(0, CONCURRENT)
                    .flatMap(i -> spools.get(i).finish()
                            .flatMap(content -> store.deliveries().deliver(
                                    new Delivery(content, List.of(accounts.get(i)), now))), CONCURRENT)
                    .collectList()
                    .block();
        } finally {
            spools.forEach(MessageSpool::discard);
        }
    }

    private void stamp(byte[] message, long value) {
        for (int k = 7; k >= 0; k--) {
            message[stampAt + k] = HEX[(int) (value & 0xf)];
            value >>>= 4;
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (haystack[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("the test message has no Message-ID to stamp");
    }
}
