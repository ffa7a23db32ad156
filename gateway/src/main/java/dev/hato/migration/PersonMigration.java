package dev.hato.migration;

import dev.hato.legacy.SieveImport;
import dev.hato.store.legacy.LegacyBackend;
import dev.hato.store.legacy.LegacyBackends;
import dev.hato.store.legacy.MigrationStatus;
import dev.hato.store.legacy.Route;
import dev.hato.store.mail.Blobs;
import dev.hato.store.sieve.SieveScripts;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * The steps of one person's move from an old system, each recorded in their migration row, shared by
 * {@code hato migrate} and the server's background migrations ({@link BackgroundMigrations}): a pass of copying
 * (with the start notice in the old INBOX before the first), a verification, and the cutover (a pass, the route to
 * syncing, with the person's Sieve scripts carried over from the old ManageSieve server first, the mail queued
 * for the old MTA delivered there, a last pass, the route to local, the done notice in Hato). Blocking.
 */
public final class PersonMigration {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** Whom the notices are for and from where: the person, the host that sends them, the operator's templates. */
    public record Person(long accountId, String address, String displayName) { }

    private final Person person;
    private final LegacyBackends backends;
    private final LegacyBackend backend;
    private final ImapCopy.Login login;
    private final SSLContext trust;
    private final ImapCopy copier;
    private final String host;
    private final @Nullable Path templates;
    private final @Nullable SieveScripts scripts;

    /**
     * {@code templates}: the operator's notice templates, or null for the built-in ones; {@code scripts}: where the
     * cutover puts the person's Sieve scripts from the old ManageSieve server (null: they are not carried over).
     */
    public PersonMigration(Person person, LegacyBackends backends, LegacyBackend backend, ImapCopy.Login login,
                           SSLContext trust, ImapCopy copier, String host, @Nullable Path templates,
                           @Nullable SieveScripts scripts) {
        this.scripts = scripts;
        this.person = person;
        this.backends = backends;
        this.backend = backend;
        this.login = login;
        this.trust = trust;
        this.copier = copier;
        this.host = host;
        this.templates = templates;
    }

    /**
     * How to log in on {@code backend} for the person whose login there is {@code login}: as its master user when
     * it has one ({@code masterPassword} opened), else with {@code password}; IllegalArgumentException when neither.
     */
    public static ImapCopy.Login login(LegacyBackend backend, String login, @Nullable String masterPassword,
                                       @Nullable String password) {
        if (password != null) {
            return new ImapCopy.Login("", login, password);
        }
        if (masterPassword == null || backend.masterUser() == null) {
            throw new IllegalArgumentException("legacy system " + backend.name() + " has no master user: give the "
                    + "person's password there (hato migrate --password-stdin)");
        }
        return new ImapCopy.Login(login, backend.masterUser(), masterPassword);
    }

    public Person person() {
        return person;
    }

    public LegacyBackend backend() {
        return backend;
    }

    /**
     * A pass of copying, recorded; before the person's first pass (none made yet, or moved back since) and with
     * {@code notify}, the start notice goes into their old INBOX. Flag changes and expunges on the old server are
     * mirrored while their route names it.
     */
    public ImportReport pass(boolean notify) throws IOException {
        MigrationStatus before = backends.migration(person.accountId()).block();
        boolean first = before == null || before.state().equals("rolled-back") || before.passes() == 0;
        record("copying", false, 0, 0);
        byte[] notice = notify && first ? notice(Notices.Kind.START, 0) : null;
        ImportReport report = copier.copy(person.accountId(), backend.imap(), backend.pop3(), trust, TIMEOUT, login,
                notice, oldServerAlone());
        record("copied", true, report.imported(), report.refused());
        return report;
    }

    /** Compares the old folders with Hato's, message by message (SHA-256); the outcome is recorded. */
    public ImportReport verify(Blobs blobs) throws IOException {
        ImportReport report = copier.verify(person.accountId(), backend.imap(), trust, TIMEOUT, login, blobs);
        backends.recordVerification(person.accountId(), report.refused() == 0).block();
        return report;
    }

    /** How a cutover ended. */
    public enum Cutover {
        /** The route is local: the person is moved. */
        MOVED,
        /** Something was refused: the route is left at syncing, for another cutover. */
        REFUSED,
        /**
         * Mail for the person queued for the old MTA before the switch had not reached the old server in time: the
         * route is left at syncing (new mail lands in Hato), for another cutover once the queue has delivered it.
         */
        QUEUED
    }

    /**
     * Moves the person: a pass, their route to syncing (new mail lands in Hato, their logins are Hato's), then up
     * to {@code queueWait} for the mail already queued for the old MTA to get there, a last pass for what reached
     * the old server meanwhile, then their route to local, the state {@code moved} and, with {@code notify}, the
     * done notice in their Hato INBOX. Each pass's report goes to {@code passes}.
     */
    public Cutover cutover(boolean notify, Duration queueWait, Consumer<ImportReport> passes, Consumer<String> notes)
            throws IOException {
        ImportReport first = pass(notify);
        passes.accept(first);
        carryFilters(notes);
        backends.setRoute(person.accountId(), Route.SYNCING).block();
        long queued = waitForQueue(queueWait);
        ImportReport last = pass(false);
        passes.accept(last);
        if (first.refused() + last.refused() > 0) {
            return Cutover.REFUSED;
        }
        if (queued > 0) {
            return Cutover.QUEUED;
        }
        backends.setRoute(person.accountId(), Route.LOCAL).block();
        record("moved", false, 0, 0);
        if (notify) {
            MigrationStatus moved = backends.migration(person.accountId()).block();
            copier.deliver(person.accountId(), notice(Notices.Kind.DONE, moved == null ? 0 : moved.copied()));
        }
        return Cutover.MOVED;
    }

    /**
     * The person's Sieve scripts (filters, vacation), read from the old system's ManageSieve server when it has one,
     * stored as theirs with the active one active, just before Hato takes their mail; each script, or why one could
     * not be carried over, goes to {@code notes}. A failure here does not stop the cutover.
     */
    private void carryFilters(Consumer<String> notes) {
        LegacyBackend.Server server = backend.manageSieve();
        if (scripts == null || server == null) {
            return;
        }
        java.util.List<String> imported = new java.util.ArrayList<>();
        java.util.List<String> failed = new java.util.ArrayList<>();
        boolean master = !login.authzid().isEmpty();
        SieveImport.run(scripts, person.accountId(), server, trust, TIMEOUT,
                master ? login.authzid() : login.authcid(), master ? login.authcid() : null, login.password(),
                imported, failed);
        imported.forEach(notes);
        failed.forEach(problem -> notes.accept(problem + " (not carried over)"));
    }

    /** The person's mail queued for the old MTA, once it is all there or {@code limit} has passed. */
    private long waitForQueue(Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            Long queued = backends.queuedForLegacy(person.accountId(), backend.name()).block();
            if (queued == null || queued == 0 || System.nanoTime() - deadline >= 0) {
                return queued == null ? 0 : queued;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for the outbound queue");
            }
        }
    }

    /** Whether the person's route names this system: its mailbox is then the only one they change. */
    private boolean oldServerAlone() {
        Route route = backends.route(person.accountId()).block();
        return route != null && route.isLegacy() && backend.name().equals(route.backend());
    }

    /** Records a state of the migration; a pass adds its messages copied and refused. */
    public void record(String state, boolean pass, long copied, long refused) {
        backends.recordMigration(person.accountId(), backend.name(), state, pass, copied, refused, null).block();
    }

    private byte[] notice(Notices.Kind kind, long messages) {
        String domain = person.address().substring(person.address().indexOf('@') + 1);
        return Notices.message(kind, templates, Map.of("name", person.displayName().isBlank() ? person.address()
                        : person.displayName(), "address", person.address(), "host", host,
                "date", ZonedDateTime.now().toString(), "messages", Long.toString(messages)),
                "Mail system <postmaster@" + domain + ">", person.address(), host, Instant.now(),
                ZoneId.systemDefault());
    }
}
