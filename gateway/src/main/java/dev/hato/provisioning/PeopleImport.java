package dev.hato.provisioning;

import dev.hato.auth.AuthIds;
import dev.hato.auth.PasswordHasher;
import dev.hato.store.directory.Account;
import dev.hato.store.directory.Directory;
import dev.hato.store.directory.DirectoryException;
import dev.hato.store.directory.Domain;
import dev.hato.store.directory.ImportResult;
import dev.hato.store.directory.ImportRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * One bulk import: validate every person against the syntax rules and the directory (nothing is written while any
 * row is bad), issue the missing auth IDs, then per batch hash the passwords in parallel and write the batch in one
 * transaction. Batches run one after the other; a batch that fails stops the import, the batches before it stay
 * committed, and running the same input again finishes the work (an import is idempotent).
 */
final class PeopleImport {

    static final int AUTH_ID_ATTEMPTS = 8;
    private static final int MAX_DISPLAY_NAME = 256;

    private final Directory directory;
    private final PasswordHasher hasher;
    private final Scheduler hashing;
    private final Supplier<String> randomPassword;
    private final ImportOptions options;
    private final ImportListener listener;

    PeopleImport(Directory directory, PasswordHasher hasher, Scheduler hashing, Supplier<String> randomPassword,
                 ImportOptions options, ImportListener listener) {
        this.directory = directory;
        this.hasher = hasher;
        this.hashing = hashing;
        this.randomPassword = randomPassword;
        this.options = options;
        this.listener = listener;
    }

    /** A person that passed validation, normalised, with the account at its address if there is one. */
    private record Entry(Person person, String address, @Nullable String displayName, @Nullable String givenAuthId,
                         @Nullable Account existing) { }

    private record Plan(List<Entry> entries, List<ImportProblem> problems) { }

    /** An entry ready to write: its auth ID, the password change with its hash, what goes to the issued list. */
    private record Prepared(Entry entry, String authId, boolean generatedId, ImportRow.Password password,
                            @Nullable String hash, @Nullable String initialPassword) {
        ImportRow row() {
            return new ImportRow(entry.address(), authId, entry.displayName(), password, hash);
        }

        Issued issued() {
            return new Issued(entry.person().line(), entry.address(), authId, initialPassword);
        }

        Prepared withAuthId(String id) {
            return new Prepared(entry, id, generatedId, password, hash, initialPassword);
        }
    }

    Mono<List<ImportProblem>> check(List<Person> people) {
        return plan(people).map(Plan::problems);
    }

    Mono<ImportReport> run(List<Person> people) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return plan(people)
                    .flatMap(plan -> plan.problems().isEmpty() ? Mono.just(plan.entries())
                            : Mono.error(new ImportRefusedException(plan.problems())))
                    .flatMap(this::issueAuthIds)
                    .flatMap(authIds -> {
                        Duration checking = Duration.ofNanos(System.nanoTime() - start);
                        listener.started(authIds.size());
                        return Mono.using(this::hashPool, pool -> write(authIds, checking, start, pool),
                                Scheduler::dispose);
                    });
        });
    }

    // ---- validation -------------------------------------------------------------------------------------------

    private Mono<Plan> plan(List<Person> people) {
        return directory.domains().map(Domain::name).collect(Collectors.toSet())
                .publishOn(hashing) // validation and ID generation are CPU work for thousands of rows
                .flatMap(domains -> {
                    List<ImportProblem> problems = new ArrayList<>();
                    List<Entry> syntactic = new ArrayList<>();
                    Map<String, Integer> addressLines = new HashMap<>();
                    Map<String, Integer> authIdLines = new HashMap<>();
                    for (Person person : people) {
                        Entry entry = checked(person, domains, addressLines, authIdLines, problems);
                        if (entry != null) {
                            syntactic.add(entry);
                        }
                    }
                    Set<String> addresses = new HashSet<>();
                    Set<String> authIds = new HashSet<>();
                    for (Entry entry : syntactic) {
                        addresses.add(entry.address());
                        if (entry.givenAuthId() != null) {
                            authIds.add(entry.givenAuthId());
                        }
                    }
                    return directory.findAccounts(addresses, authIds).collectList()
                            .publishOn(hashing)
                            .map(accounts -> against(syntactic, accounts, problems));
                });
    }

    /** The syntax and in-file rules; null with problems added when the person is bad. */
    private static @Nullable Entry checked(Person person, Set<String> domains, Map<String, Integer> addressLines,
                                           Map<String, Integer> authIdLines, List<ImportProblem> problems) {
        int line = person.line();
        int before = problems.size();
        String address = null;
        if (person.address().isBlank()) {
            problems.add(new ImportProblem(line, "missing address"));
        } else {
            try {
                address = Names.address(person.address());
            } catch (ProvisioningException e) {
                problems.add(new ImportProblem(line, e.getMessage()));
            }
        }
        if (address != null) {
            String domain = address.substring(address.lastIndexOf('@') + 1);
            if (!domains.contains(domain)) {
                problems.add(new ImportProblem(line, "unknown domain '" + domain + "' of " + address
                        + " (add it first: hato domain add " + domain + ")"));
            }
            Integer first = addressLines.putIfAbsent(address, line);
            if (first != null) {
                problems.add(new ImportProblem(line, "duplicate address '" + address + "' (first on line "
                        + first + ")"));
            }
        }
        String authId = null;
        if (person.authId() != null) {
            try {
                authId = Provisioning.checkedAuthId(person.authId());
                Integer first = authIdLines.putIfAbsent(authId, line);
                if (first != null) {
                    problems.add(new ImportProblem(line, "duplicate auth ID '" + authId + "' (first on line "
                            + first + ")"));
                }
            } catch (ProvisioningException e) {
                problems.add(new ImportProblem(line, e.getMessage()));
            }
        }
        if (person.password() instanceof Person.Given given) {
            try {
                Provisioning.checkPassword(given.password());
            } catch (ProvisioningException e) {
                problems.add(new ImportProblem(line, e.getMessage()));
            }
        }
        String displayName = person.displayName() == null ? null : person.displayName().strip();
        if (displayName != null && (displayName.codePointCount(0, displayName.length()) > MAX_DISPLAY_NAME
                || displayName.codePoints().anyMatch(Character::isISOControl))) {
            problems.add(new ImportProblem(line, "display name must be one line of at most " + MAX_DISPLAY_NAME
                    + " characters"));
        }
        return problems.size() == before && address != null
                ? new Entry(person, address, displayName, authId, null) : null;
    }

    /** The rules that need the directory: auth IDs of existing accounts never change, given ones must be free. */
    private static Plan against(List<Entry> entries, List<Account> accounts, List<ImportProblem> problems) {
        Map<String, Account> byAddress = new HashMap<>();
        Map<String, Account> byAuthId = new HashMap<>();
        for (Account account : accounts) {
            byAddress.put(account.address(), account);
            byAuthId.put(account.authId(), account);
        }
        List<Entry> planned = new ArrayList<>();
        for (Entry entry : entries) {
            int before = problems.size();
            Account existing = byAddress.get(entry.address());
            String given = entry.givenAuthId();
            if (existing != null && given != null && !given.equals(existing.authId())) {
                problems.add(new ImportProblem(entry.person().line(), "auth ID '" + given + "' differs from '"
                        + existing.authId() + "' of the existing account " + entry.address()
                        + " (auth IDs are never changed; leave the cell empty to keep it)"));
            } else if (existing == null && given != null && byAuthId.containsKey(given)) {
                problems.add(new ImportProblem(entry.person().line(), "auth ID '" + given
                        + "' is taken by the account " + byAuthId.get(given).address()));
            }
            if (problems.size() == before) {
                planned.add(new Entry(entry.person(), entry.address(), entry.displayName(), given, existing));
            }
        }
        List<ImportProblem> sorted = new ArrayList<>(problems);
        sorted.sort(Comparator.comparingInt(ImportProblem::line)); // stable: a row's problems keep their order
        return new Plan(planned, sorted);
    }

    // ---- auth IDs -----------------------------------------------------------------------------------------------

    /** Every entry with its auth ID: the account's, the given one, or a generated one free in the file and store. */
    private Mono<List<Prepared>> issueAuthIds(List<Entry> entries) {
        Set<String> inFile = new HashSet<>();
        List<Prepared> prepared = new ArrayList<>(entries.size());
        for (Entry entry : entries) {
            if (entry.existing() != null) {
                inFile.add(entry.existing().authId());
            } else if (entry.givenAuthId() != null) {
                inFile.add(entry.givenAuthId());
            }
        }
        for (Entry entry : entries) {
            String id = entry.existing() != null ? entry.existing().authId() : entry.givenAuthId();
            boolean generated = id == null;
            if (generated) {
                id = fresh(entry.address(), inFile);
            }
            prepared.add(new Prepared(entry, id, generated, ImportRow.Password.KEEP, null, null));
        }
        return freeInStore(prepared, inFile, 1);
    }

    private static String fresh(String address, Set<String> taken) {
        for (int attempt = 0; attempt < AUTH_ID_ATTEMPTS * 4; attempt++) {
            String id = AuthIds.generate(address);
            if (taken.add(id)) {
                return id;
            }
        }
        throw new ProvisioningException("could not issue a free auth ID for " + address);
    }

    /** Replaces generated IDs that an account in the store already has, until none does (one query per round). */
    private Mono<List<Prepared>> freeInStore(List<Prepared> prepared, Set<String> inFile, int round) {
        List<String> generated = prepared.stream().filter(Prepared::generatedId).map(Prepared::authId).toList();
        if (generated.isEmpty()) {
            return Mono.just(prepared);
        }
        return directory.findAccounts(List.of(), generated).map(Account::authId).collect(Collectors.toSet())
                .publishOn(hashing)
                .flatMap(taken -> {
                    if (taken.isEmpty()) {
                        return Mono.just(prepared);
                    }
                    if (round >= AUTH_ID_ATTEMPTS) {
                        return Mono.error(new ProvisioningException("could not issue free auth IDs after "
                                + AUTH_ID_ATTEMPTS + " attempts: " + taken.size() + " still taken"));
                    }
                    List<Prepared> next = new ArrayList<>(prepared.size());
                    for (Prepared p : prepared) {
                        next.add(p.generatedId() && taken.contains(p.authId())
                                ? p.withAuthId(fresh(p.entry().address(), inFile)) : p);
                    }
                    return freeInStore(next, inFile, round + 1);
                });
    }

    // ---- batches ------------------------------------------------------------------------------------------------

    /**
     * Threads of the import's own that share one queue, so that every thread takes the next hash as soon as it is
     * free (a bounded-elastic scheduler pins each task to a thread when it is scheduled, and two hashes can end up
     * queued on one thread while another idles).
     */
    private Scheduler hashPool() {
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(options.hashingParallelism(), task -> {
            Thread thread = new Thread(task, "hato-import-hash-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        return Schedulers.fromExecutorService(executor, "hato-import-hash");
    }

    private Mono<ImportReport> write(List<Prepared> all, Duration checking, long start, Scheduler pool) {
        long[] hashingNanos = {0};
        long[] databaseNanos = {0};
        List<Issued> issued = new ArrayList<>(all.size());
        Set<String> inFile = all.stream().map(Prepared::authId).collect(Collectors.toCollection(HashSet::new));
        List<List<Prepared>> batches = new ArrayList<>();
        for (int i = 0; i < all.size(); i += options.batchSize()) {
            batches.add(all.subList(i, Math.min(all.size(), i + options.batchSize())));
        }
        return Flux.fromIterable(batches)
                .concatMap(batch -> {
                    long hashStart = System.nanoTime();
                    return hashed(batch, pool)
                            .flatMap(ready -> {
                                long writeStart = System.nanoTime();
                                hashingNanos[0] += writeStart - hashStart;
                                return store(ready, inFile, 0)
                                        .publishOn(hashing) // off the event loop: the listener writes files
                                        .map(stored -> {
                                            databaseNanos[0] += System.nanoTime() - writeStart;
                                            List<Issued> written = stored.prepared().stream()
                                                    .map(Prepared::issued).toList();
                                            issued.addAll(written);
                                            listener.committed(written, stored.result());
                                            return stored.result();
                                        });
                            });
                }, 0)
                .reduce(ImportResult.NONE, ImportResult::plus)
                .map(result -> new ImportReport(result, issued, checking, Duration.ofNanos(hashingNanos[0]),
                        Duration.ofNanos(databaseNanos[0]), Duration.ofNanos(System.nanoTime() - start)));
    }

    /** The batch with every password hashed or checked, in parallel on the import's threads, in input order. */
    private Mono<List<Prepared>> hashed(List<Prepared> batch, Scheduler pool) {
        return Flux.fromIterable(batch)
                .flatMapSequential(p -> withPassword(p, pool), options.hashingParallelism(), 1)
                .doOnNext(ignored -> listener.prepared(1))
                .collectList();
    }

    private Mono<Prepared> withPassword(Prepared p, Scheduler pool) {
        Account existing = p.entry().existing();
        Person.Password password = p.entry().person().password();
        if (password instanceof Person.External) {
            return Mono.just(with(p, ImportRow.Password.CLEAR, null, null));
        }
        if (password instanceof Person.Given given) {
            String stored = existing == null ? null : existing.passwordHash();
            return Mono.fromCallable(() -> stored != null && hasher.verify(given.password(), stored)
                            ? with(p, ImportRow.Password.KEEP, null, null)
                            : with(p, ImportRow.Password.SET, hasher.hash(given.password()), null))
                    .subscribeOn(pool);
        }
        if (existing != null) {
            return Mono.just(with(p, ImportRow.Password.KEEP, null, null)); // an empty cell keeps a password
        }
        return Mono.fromCallable(() -> {
            String initial = randomPassword.get();
            return with(p, ImportRow.Password.SET, hasher.hash(initial), initial);
        }).subscribeOn(pool);
    }

    private static Prepared with(Prepared p, ImportRow.Password password, @Nullable String hash,
                                 @Nullable String initial) {
        return new Prepared(p.entry(), p.authId(), p.generatedId(), password, hash, initial);
    }

    private record Stored(List<Prepared> prepared, ImportResult result) { }

    /**
     * Writes one batch. Should a generated auth ID have been taken since it was checked (another import or a
     * {@code user add} running meanwhile), the batch rolled back: the taken IDs are issued anew and it is retried.
     */
    private Mono<Stored> store(List<Prepared> batch, Set<String> inFile, int attempt) {
        return directory.importAccounts(batch.stream().map(Prepared::row).toList())
                .map(result -> new Stored(batch, result))
                .onErrorResume(DirectoryException.class, e -> {
                    if (e.reason() != DirectoryException.Reason.DUPLICATE_AUTH_ID || attempt + 1 >= AUTH_ID_ATTEMPTS
                            || batch.stream().noneMatch(Prepared::generatedId)) {
                        return Mono.error(e);
                    }
                    return freeInStore(batch, inFile, AUTH_ID_ATTEMPTS - 1)
                            .flatMap(fresh -> fresh.equals(batch) ? Mono.error(e) : store(fresh, inFile, attempt + 1));
                });
    }
}
