package dev.hato.store.pg;

import java.nio.file.Path;

/**
 * A second JVM for lifecycle tests, as the {@code hato} CLI is while the server runs. Arguments: the data directory
 * and a mode: {@code visit} opens the store, prints its description and domains, closes it and exits;
 * {@code own <domain>} opens it (starting PostgreSQL), adds the domain, prints "ready" and waits to be killed.
 */
public final class StoreProcess {

    private StoreProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path data = Path.of(args[0]);
        switch (args[1]) {
            case "visit" -> {
                try (PgStore store = PgStore.open(StoreSettings.defaults(data))) {
                    System.out.println("describe: " + store.describe());
                    store.directory().domains().doOnNext(d -> System.out.println("domain: " + d.name())).blockLast();
                }
                System.exit(0);
            }
            case "own" -> {
                PgStore store = PgStore.open(StoreSettings.defaults(data));
                store.directory().addDomain(args[2]).block();
                System.out.println("ready");
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE);
            }
            default -> throw new IllegalArgumentException(args[1]);
        }
    }
}
