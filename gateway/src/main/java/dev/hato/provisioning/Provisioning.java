package dev.hato.provisioning;

import dev.hato.auth.AuthIds;
import dev.hato.auth.PasswordHasher;
import dev.hato.store.directory.Account;
import dev.hato.store.directory.Directory;
import dev.hato.store.directory.DirectoryException;
import dev.hato.store.directory.Domain;
import dev.hato.store.directory.NewAccount;
import java.security.SecureRandom;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Operator actions on the directory. Every refusal is a {@link ProvisioningException} (bad input) or a
 * {@link DirectoryException} (the data does not allow it); the store writes each change in one transaction.
 */
public final class Provisioning {

    private static final int AUTH_ID_ATTEMPTS = 8;
    private static final String PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private final Directory directory;
    private final PasswordHasher hasher;
    private final Scheduler hashing;
    private final SecureRandom random = new SecureRandom();

    public Provisioning(Directory directory, PasswordHasher hasher, Scheduler hashing) {
        this.directory = directory;
        this.hasher = hasher;
        this.hashing = hashing;
    }

    /** A new account; {@code generatedPassword} is set when the operator gave none. */
    public record Created(Account account, @Nullable String generatedPassword) { }

    public Mono<Domain> addDomain(String name) {
        return Mono.fromCallable(() -> Names.domain(name)).flatMap(directory::addDomain);
    }

    public Mono<Void> removeDomain(String name) {
        return Mono.fromCallable(() -> Names.domain(name)).flatMap(directory::removeDomain);
    }

    public Mono<List<Domain>> domains() {
        return directory.domains().collectList();
    }

    /**
     * Creates an account. Without {@code authId} one is issued in the seed's style and retried on the rare
     * collision; without {@code password} a random one is generated and returned once.
     */
    public Mono<Created> addUser(String address, @Nullable String displayName, @Nullable String authId,
                                 @Nullable String password) {
        return Mono.defer(() -> {
            String normalized = Names.address(address);
            String givenId = authId == null ? null : checkedAuthId(authId);
            String generated = password == null ? randomPassword() : null;
            String secret = password == null ? generated : password;
            checkPassword(secret);
            String name = displayName == null ? "" : displayName.strip();
            return hash(secret).flatMap(hash -> insert(normalized, name, givenId, hash, 0))
                    .map(account -> new Created(account, generated));
        });
    }

    public Mono<List<Account>> users(@Nullable String domain) {
        return Mono.defer(() -> directory.accounts(domain == null ? null : Names.domain(domain)).collectList());
    }

    public Mono<Void> setPassword(String authId, String password) {
        return Mono.defer(() -> {
            String id = checkedAuthId(authId);
            checkPassword(password);
            return hash(password).flatMap(hash -> directory.setPasswordHash(id, hash));
        });
    }

    public Mono<Void> removeUser(String authIdOrAddress) {
        return Mono.defer(() -> {
            String key = authIdOrAddress.trim();
            return directory.removeAccount(key.indexOf('@') >= 0 ? Names.address(key) : AuthIds.normalize(key));
        });
    }

    /**
     * Checks {@code people} as {@link #importPeople} would, without writing: every problem of every row, in input
     * order; empty when the import would go ahead.
     */
    public Mono<List<ImportProblem>> checkPeople(List<Person> people) {
        return new PeopleImport(directory, hasher, hashing, this::randomPassword, ImportOptions.defaults(),
                ImportListener.NONE).check(List.copyOf(people));
    }

    /**
     * Creates or updates accounts in bulk ({@code hato user import}, later {@code hato user sync-ldap}). First the
     * whole input is validated — address and auth ID syntax, password rules, display names, addresses and auth IDs
     * twice in the input, unknown domains, an auth ID that differs from the existing account's or is taken by
     * another — and any problem fails the import with an {@link ImportRefusedException} listing them all, nothing
     * written. Then batch by batch, each in one transaction: new addresses are created with their INBOX, existing
     * ones get the display name and the password change; missing auth IDs are issued in the seed's style, and an
     * empty password of a new account is generated (see {@link Person.Password}). Argon2id hashing runs on
     * {@link ImportOptions#hashingParallelism()} threads the import starts and stops; validation and the listener
     * run on the hashing scheduler, never on an event loop. Importing the same input again
     * changes nothing (everything is counted unchanged): a given password that already is the account's is kept,
     * not hashed anew.
     */
    public Mono<ImportReport> importPeople(List<Person> people, ImportOptions options, ImportListener listener) {
        return new PeopleImport(directory, hasher, hashing, this::randomPassword, options, listener)
                .run(List.copyOf(people));
    }

    private Mono<Account> insert(String address, String name, @Nullable String givenId, String hash, int attempt) {
        String id = givenId == null ? AuthIds.generate(address) : givenId;
        return directory.addAccount(new NewAccount(address, id, name, hash))
                .onErrorResume(DirectoryException.class, e -> {
                    boolean collision = e.reason() == DirectoryException.Reason.DUPLICATE_AUTH_ID;
                    if (collision && givenId == null && attempt + 1 < AUTH_ID_ATTEMPTS) {
                        return insert(address, name, null, hash, attempt + 1);
                    }
                    return Mono.error(e);
                });
    }

    private Mono<String> hash(String password) {
        return Mono.fromCallable(() -> hasher.hash(password)).subscribeOn(hashing);
    }

    static String checkedAuthId(String authId) {
        String id = AuthIds.normalize(authId);
        if (!AuthIds.isValid(id)) {
            throw new ProvisioningException("malformed auth ID '" + authId
                    + "': use 1-64 of a-z 0-9 . _ - starting with a letter or digit (no '@')");
        }
        return id;
    }

    static void checkPassword(String password) {
        if (password.length() < 8) {
            throw new ProvisioningException("password too short: at least 8 characters");
        }
        if (password.length() > 1024 || password.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new ProvisioningException("password must be at most 1024 printable characters");
        }
    }

    private String randomPassword() {
        StringBuilder password = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            password.append(PASSWORD_ALPHABET.charAt(random.nextInt(PASSWORD_ALPHABET.length())));
        }
        return password.toString();
    }
}
