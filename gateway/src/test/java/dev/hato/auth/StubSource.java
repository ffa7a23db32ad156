package dev.hato.auth;

import dev.hato.store.directory.Account;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;

/** A credential source whose behaviour tests switch: knows one password, or is down, or hangs. */
final class StubSource implements CredentialSource {

    enum Mode { UP, DOWN, HANGING }

    private final String name;
    private final String password;
    private final AtomicInteger calls = new AtomicInteger();
    private volatile Mode mode = Mode.UP;

    StubSource(String name, String password) {
        this.name = name;
        this.password = password;
    }

    void mode(Mode value) {
        mode = value;
    }

    int calls() {
        return calls.get();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Mono<Boolean> verify(Account account, String given) {
        return Mono.defer(() -> {
            calls.incrementAndGet();
            return switch (mode) {
                case UP -> Mono.just(password.equals(given));
                case DOWN -> Mono.error(new CredentialSourceException(name + " is down"));
                case HANGING -> Mono.never();
            };
        });
    }
}
