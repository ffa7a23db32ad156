package dev.hato.app;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * STYLE.md §5: no blocking call on an event loop or a Reactor non-blocking thread in any test. BlockHound is
 * installed by blockhound-junit-platform when the test plan starts (before any Reactor or Netty thread exists,
 * which it needs to see idle workers enter their allowed waits); this integration adds Hato's rules.
 */
public final class HatoBlockHoundIntegration implements BlockHoundIntegration {

    /**
     * Blocking calls caught on non-blocking threads, each as "thread name: method"; {@link BlockingCallCheck} fails
     * the test class during which one is recorded.
     */
    static final Queue<String> BLOCKING_CALLS = new ConcurrentLinkedQueue<>();

    @Override
    public void applyTo(BlockHound.Builder builder) {
        // TLS handshakes draw randomness on the event loop (as every TLS engine in Netty does); the JDK reads
        // /dev/urandom, which does not block once the kernel's pool is initialised.
        builder.allowBlockingCallsInside("sun.security.provider.NativePRNG$RandomIO", "implNextBytes")
                .allowBlockingCallsInside("sun.security.provider.NativePRNG$RandomIO", "implGenerateSeed")
                // Netty 4.2's adaptive allocator takes a short StampedLock when it grows or frees a magazine under
                // contention; it is Netty's own design for event loops, not a blocking call of ours.
                .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup",
                        "tryExpandMagazines")
                .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free")
                // Once per JVM: the first R2DBC connection initialises Netty's epoll classes on the thread it runs
                // on (Reactor's single scheduler), which reads the native library out of its jar. A test class that
                // happened to open the first connection of the run failed for it, whatever it tested.
                .allowBlockingCallsInside("io.netty.util.internal.NativeLibraryLoader", "load")
                .blockingMethodCallback(method -> {
                    BLOCKING_CALLS.add(Thread.currentThread().getName() + ": " + method);
                    throw new BlockingOperationError(method);
                });
    }
}
