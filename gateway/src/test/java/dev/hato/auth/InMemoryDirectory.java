package dev.hato.auth;

import dev.hato.store.directory.Account;
import dev.hato.store.directory.Directory;
import dev.hato.store.directory.DirectoryException;
import dev.hato.store.directory.Domain;
import dev.hato.store.directory.NewAccount;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A {@link Directory} in memory for authentication tests; can be told to fail like a database that is down. */
final class InMemoryDirectory implements Directory {

    private final Map<String, Domain> domains = new ConcurrentHashMap<>();
    private final Map<String, Account> byAuthId = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicInteger lookups = new AtomicInteger();
    private volatile boolean down;

    int lookups() {
        return lookups.get();
    }

    void down(boolean value) {
        down = value;
    }

    @Override
    public Mono<Domain> addDomain(String name) {
        Domain domain = new Domain(ids.incrementAndGet(), name);
        return domains.putIfAbsent(name, domain) == null
                ? Mono.just(domain)
                : Mono.error(new DirectoryException(DirectoryException.Reason.DUPLICATE_DOMAIN, name));
    }

    /** Domains whose people are listed to one another. */
    private final java.util.Set<String> listed = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public Mono<Void> setAddressList(String domain, boolean on) {
        return Mono.fromRunnable(() -> {
            if (on) {
                listed.add(domain);
            } else {
                listed.remove(domain);
            }
        });
    }

    @Override
    public Mono<Boolean> hasAddressList(String domain) {
        return Mono.just(listed.contains(domain));
    }

    @Override
    public Flux<dev.hato.store.directory.ListedPerson> addressList(String domain, String text, int limit) {
        return hasAddressList(domain).flatMapMany(on -> !on ? Flux.empty() : accounts(domain)
                .filter(a -> a.displayName().toLowerCase().contains(text.toLowerCase())
                        || a.address().contains(text.toLowerCase()))
                .map(a -> new dev.hato.store.directory.ListedPerson(a.displayName(), a.address())).take(limit));
    }

    @Override
    public Flux<Domain> domains() {
        return Flux.fromIterable(domains.values()).sort(Comparator.comparing(Domain::name));
    }

    @Override
    public Mono<Void> removeDomain(String name) {
        return Mono.fromRunnable(() -> domains.remove(name));
    }

    @Override
    public Mono<Boolean> isLocalDomain(String name) {
        return Mono.just(domains.containsKey(name));
    }

    @Override
    public Mono<Account> addAccount(NewAccount account) {
        String domainName = account.address().substring(account.address().indexOf('@') + 1);
        Domain domain = domains.get(domainName);
        if (domain == null) {
            return Mono.error(new DirectoryException(DirectoryException.Reason.UNKNOWN_DOMAIN, domainName));
        }
        Account created = new Account(ids.incrementAndGet(), domain.id(), account.address(), account.authId(),
                account.displayName(), account.passwordHash());
        byAuthId.put(account.authId(), created);
        return Mono.just(created);
    }

    @Override
    public Mono<Account> findByAuthId(String authId) {
        return Mono.defer(() -> {
            lookups.incrementAndGet();
            if (down) {
                return Mono.error(new IllegalStateException("database down"));
            }
            return Mono.justOrEmpty(byAuthId.get(authId));
        });
    }

    @Override
    public Mono<Account> findByAddress(String address) {
        return Flux.fromIterable(byAuthId.values()).filter(a -> a.address().equals(address)).next();
    }

    @Override
    public Flux<Account> accounts(@Nullable String domain) {
        return Flux.fromIterable(byAuthId.values())
                .filter(a -> domain == null || a.address().endsWith("@" + domain))
                .sort(Comparator.comparing(Account::address));
    }

    @Override
    public Mono<Void> setPasswordHash(String authId, String passwordHash) {
        return Mono.fromRunnable(() -> byAuthId.computeIfPresent(authId, (id, a) -> new Account(a.id(), a.domainId(),
                a.address(), a.authId(), a.displayName(), passwordHash)));
    }

    @Override
    public Mono<Void> removeAccount(String authIdOrAddress) {
        return Mono.fromRunnable(() -> byAuthId.values().removeIf(
                a -> a.authId().equals(authIdOrAddress) || a.address().equals(authIdOrAddress)));
    }

    private final java.util.Map<Long, java.util.Map<String, String>> settings = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public Mono<java.util.Map<String, String>> settings(long accountId) {
        return Mono.fromSupplier(() -> java.util.Map.copyOf(settings.getOrDefault(accountId, java.util.Map.of())));
    }

    @Override
    public Mono<Void> setSetting(long accountId, String name, String value) {
        return Mono.fromRunnable(() -> {
            java.util.Map<String, String> mine = settings.computeIfAbsent(accountId,
                    id -> new java.util.concurrent.ConcurrentHashMap<>());
            if (value == null) {
                mine.remove(name);
            } else {
                mine.put(name, value);
            }
        });
    }

    @Override
    public Flux<Account> findAccounts(java.util.Collection<String> addresses, java.util.Collection<String> authIds) {
        return Flux.concat(Flux.fromIterable(addresses).flatMap(this::findByAddress),
                Flux.fromIterable(authIds).flatMap(this::findByAuthId)).distinct(Account::id);
    }

    @Override
    public Mono<dev.hato.store.directory.ImportResult> importAccounts(
            java.util.List<dev.hato.store.directory.ImportRow> rows) {
        return Mono.error(new UnsupportedOperationException("bulk import is not used by authentication tests"));
    }
}
