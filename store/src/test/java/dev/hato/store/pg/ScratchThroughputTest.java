package dev.hato.store.pg;

import dev.hato.store.*;
import java.nio.file.Path;
import java.time.*;
import java.util.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.*;

class ScratchThroughputTest {
    @TempDir Path data;
    @Test
    void measure() {
        try (PgStore store = PgStore.open(StoreSettings.defaults(data))) {
            store.directory().addDomain("t.example").block();
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 50; i++) ids.add(store.directory().addAccount(new NewAccount("u" + i + "@t.example", "u" + i, "", null)).block().id());
            for (int round = 0; round < 3; round++) {
                int n = 5000;
                List<TestContent> contents = new ArrayList<>();
                for (int i = 0; i < n; i++) contents.add(TestContent.random(10_000));
                long b0 = store.batchesCommitted();
                long t0 = System.nanoTime();
                Flux.range(0, n).flatMap(i -> store.deliveries().deliver(new Delivery(contents.get(i), List.of(ids.get(i % 50)), Instant.now())), 512).blockLast();
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("round %d: %d deliveries in %.2fs = %.0f/s, %d batches%n", round, n, s, n / s, store.batchesCommitted() - b0);
            }
            long t0 = System.nanoTime();
            var big = TestContent.random(20 * 1024 * 1024);
            var r = store.deliveries().deliver(new Delivery(big, List.of(ids.get(0)), Instant.now())).block();
            System.out.printf("20 MiB write %.2fs%n", (System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            long total = store.messages().content(r.blobId()).map(java.nio.ByteBuffer::remaining).reduce(0, Integer::sum).block();
            System.out.printf("20 MiB read %.2fs (%d)%n", (System.nanoTime() - t0) / 1e9, total);
        }
    }
}
