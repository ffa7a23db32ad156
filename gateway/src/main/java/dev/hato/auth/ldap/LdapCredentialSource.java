package dev.hato.auth.ldap;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.sdk.AsyncRequestID;
import com.unboundid.ldap.sdk.AsyncSearchResultListener;
import com.unboundid.ldap.sdk.BindRequest;
import com.unboundid.ldap.sdk.BindResult;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.FailoverServerSet;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.PostConnectProcessor;
import com.unboundid.ldap.sdk.RDN;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchResultReference;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.ServerSet;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.SingleServerSet;
import com.unboundid.ldap.sdk.StartTLSPostConnectProcessor;
import com.unboundid.ldap.sdk.controls.SimplePagedResultsControl;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import com.unboundid.util.ssl.JVMDefaultTrustManager;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;
import dev.hato.auth.CredentialSource;
import dev.hato.auth.CredentialSourceException;
import dev.hato.store.directory.Account;
import java.io.File;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.net.SocketFactory;
import javax.net.ssl.X509TrustManager;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Checks a password by binding to an LDAP directory as the person's entry. The entry is found by a search for the
 * auth ID under the base DN as the service account (or anonymously), or its DN is built from a template without a
 * search; then a simple bind (RFC 4513 §5.1.3) as that DN with the password answers the question. Invalid
 * credentials, a missing or ambiguous entry, and any other refusal of the server about that one person are a
 * "no"; only a server that cannot answer at all (down, too slow, busy, misconfigured search) is an error, so one
 * person's locked account can never open the circuit breaker for everyone.
 *
 * <p>Threads. Searches use the SDK's asynchronous API ({@code asyncSearch} with an
 * {@link AsyncSearchResultListener}): the answer arrives on the SDK's reader thread and no thread waits for it.
 * The SDK has no asynchronous bind, and checking a connection out of an {@link LDAPConnectionPool} may connect
 * (TCP, TLS handshake, StartTLS, service bind), which blocks too; so these calls run on a small bounded scheduler
 * of this source's own ({@code hato-ldap-<name>}, two threads per pool connection, a bounded queue), never on an
 * event loop or Reactor's parallel threads; replacing a broken connection runs on a second one
 * ({@code hato-ldap-<name>-repair}). Every blocking call is bounded by the connect or response timeout;
 * when the directory hangs, at most those threads wait, and callers are cut off earlier by the
 * {@code ResilientCredentialSource} around this source.
 *
 * <p>Connections. Two pools of at most {@link LdapSettings#poolSize()} connections each: one for searches, bound
 * as the service account, and one for the people's binds (whose identity changes with every bind). No connection
 * is opened before the first login, so Hato starts while the directory is down; a connection the server closed is
 * replaced on its next use, so recovery after a directory restart needs nothing.
 */
public final class LdapCredentialSource implements CredentialSource, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LdapCredentialSource.class);

    /** Small enough for OpenLDAP's default size limit of 500; paged results (RFC 2696) fetch the rest. */
    private static final int PAGE_SIZE = 200;
    private static final int QUEUED_TASKS = 1_000;
    private static final String[] NO_ATTRIBUTES = {SearchRequest.NO_ATTRIBUTES};

    /** Server answers that mean "the backend cannot serve anybody", not "no to this person". */
    private static final Set<ResultCode> BACKEND_FAILURES = Set.of(ResultCode.OPERATIONS_ERROR,
            ResultCode.PROTOCOL_ERROR, ResultCode.TIME_LIMIT_EXCEEDED, ResultCode.ADMIN_LIMIT_EXCEEDED,
            ResultCode.BUSY, ResultCode.UNAVAILABLE, ResultCode.OTHER);

    private final LdapSettings settings;
    private final String name;
    private final LDAPConnectionPool searchPool;
    private final LDAPConnectionPool bindPool;
    private final Scheduler blocking;
    private final Scheduler repairs;

    public LdapCredentialSource(LdapSettings settings) {
        this.settings = settings;
        this.name = "ldap:" + settings.name();
        SSLUtil ssl = new SSLUtil(trustManager(settings));
        LDAPConnectionOptions options = new LDAPConnectionOptions();
        options.setConnectTimeoutMillis((int) settings.connectTimeout().toMillis());
        options.setResponseTimeoutMillis(settings.responseTimeout().toMillis());
        options.setAbandonOnTimeout(true);
        options.setUseSynchronousMode(false); // required by the asynchronous API
        if (settings.insecureTrustAll()) {
            LOG.warn("{} accepts any server certificate (insecureTrustAll): for tests only", name);
        } else {
            // RFC 4513 §3.1.3: the client checks the server's identity against the host name it connected to.
            // (The SDK lets any certificate pass for a numeric loopback address.)
            options.setSSLSocketVerifier(new HostNameSSLSocketVerifier(true));
        }
        boolean plain = settings.urls().stream().anyMatch(url -> url.regionMatches(true, 0, "ldap:", 0, 5));
        if (plain && !settings.startTls()) {
            LOG.warn("{} sends passwords over ldap:// without StartTLS: unencrypted unless the network is trusted",
                    name);
        }
        BindRequest serviceBind = settings.bindDn() == null
                ? null
                : new SimpleBindRequest(settings.bindDn(), settings.bindPassword());
        this.searchPool = pool(serverSet(ssl, options, serviceBind), serviceBind, "search");
        this.bindPool = pool(serverSet(ssl, options, null), null, "bind");
        this.blocking = Schedulers.newBoundedElastic(2 * settings.poolSize(), QUEUED_TASKS, "hato-" + name);
        this.repairs = Schedulers.newBoundedElastic(2, QUEUED_TASKS, "hato-" + name + "-repair");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Mono<Boolean> verify(Account account, String password) {
        if (password.isEmpty()) {
            // RFC 4513 §5.1.2: a simple bind with a DN and no password is an "unauthenticated bind", which many
            // servers answer with success. It must never log anyone in.
            return Mono.just(false);
        }
        String authId = account.authId();
        Mono<Optional<String>> dn = settings.bindDnTemplate() != null
                ? Mono.just(Optional.of(settings.bindDnTemplate().replace(LdapSettings.PLACEHOLDER, escapeDn(authId))))
                : findDn(authId);
        return dn.flatMap(found -> found.isPresent() ? bind(found.get(), password) : Mono.just(false));
    }

    /**
     * Everyone under the people base DN matching the people filter, a page at a time over one connection (RFC 2696
     * ties the paging cookie to the connection). Entries without the auth ID attribute are skipped.
     */
    public Flux<LdapPerson> people() {
        Filter filter = filter(settings.peopleFilter());
        String[] attributes = {settings.authIdAttribute(), settings.mailAttribute(), settings.nameAttribute()};
        return Flux.usingWhen(checkout(searchPool),
                connection -> page(connection, filter, attributes, null)
                        .expand(page -> page.cookie() == null
                                ? Mono.empty()
                                // not from the SDK's reader thread, which delivered the previous page
                                : page(connection, filter, attributes, page.cookie()).subscribeOn(blocking))
                        .concatMapIterable(Page::entries)
                        .mapNotNull(this::person),
                connection -> release(searchPool, connection),
                (connection, error) -> discard(searchPool, connection),
                connection -> discard(searchPool, connection));
    }

    @Override
    public void close() {
        searchPool.close();
        bindPool.close();
        blocking.dispose();
        repairs.dispose();
    }

    private Mono<Optional<String>> findDn(String authId) {
        // RFC 4515 §3: the auth ID is escaped, so "*" or ")" in it cannot change the filter.
        Filter filter = filter(settings.searchFilter().replace(LdapSettings.PLACEHOLDER, Filter.encodeValue(authId)));
        return lookup(settings.baseDn(), filter)
                .map(page -> {
                    if (page.entries().size() > 1 || page.result().getResultCode() != ResultCode.SUCCESS) {
                        LOG.warn("{}: more than one entry matches an auth ID; refusing the login", name);
                        return Optional.empty();
                    }
                    return page.entries().stream().findFirst().map(SearchResultEntry::getDN);
                });
    }

    /**
     * One search on a connection of the search pool that this operation owns from checkout to return: the
     * connection goes back when the search ends (closed if it failed), whether or not the caller is still there.
     * A caller that gives up (a timeout) only stops waiting; the search, bounded by the response timeout, runs to
     * its end. Handing the connection back from the caller's side instead (a {@code usingWhen} released on
     * cancel) raced the hand-over of a freshly checked-out connection and, now and then, lost it for good.
     */
    private Mono<Page> lookup(String base, Filter filter) {
        return Mono.create(sink -> {
            AtomicBoolean gone = new AtomicBoolean();
            sink.onCancel(() -> gone.set(true));
            schedule(sink, () -> {
                if (gone.get()) {
                    return; // the caller left before the checkout began
                }
                LDAPConnection connection;
                try {
                    connection = connect(searchPool);
                } catch (CredentialSourceException e) {
                    if (!gone.get()) {
                        sink.error(e);
                    }
                    return;
                }
                Collector collector = new Collector((page, error) -> {
                    if (error == null) {
                        searchPool.releaseConnection(connection);
                    } else {
                        discard(searchPool, connection).subscribe();
                    }
                    if (gone.get()) {
                        return;
                    }
                    if (error == null) {
                        sink.success(page);
                    } else {
                        sink.error(error);
                    }
                });
                send(connection, collector, base, filter, 2, null, NO_ATTRIBUTES);
            });
        });
    }

    private Mono<Boolean> bind(String dn, String password) {
        return blockingCall(() -> {
            LDAPConnection connection = connect(bindPool);
            SimpleBindRequest request = new SimpleBindRequest(dn, password);
            request.setResponseTimeoutMillis(settings.responseTimeout().toMillis());
            try {
                BindResult result = connection.bind(request);
                bindPool.releaseConnection(connection);
                return result.getResultCode() == ResultCode.SUCCESS;
            } catch (LDAPException e) {
                ResultCode code = e.getResultCode();
                if (ResultCode.isConnectionUsable(code) && !BACKEND_FAILURES.contains(code)) {
                    // invalidCredentials (49) above all; also inappropriateAuthentication, noSuchObject, and the
                    // codes some servers use for locked or expired accounts.
                    bindPool.releaseConnection(connection);
                    LOG.debug("{}: bind refused with {}", name, code);
                    return false;
                }
                discard(bindPool, connection).subscribe();
                throw new CredentialSourceException(name + ": bind failed: " + code + " " + e.getMessage(), e);
            }
        }, late -> { });
    }

    private Mono<Page> page(LDAPConnection connection, Filter filter, String[] attributes,
                            @Nullable ASN1OctetString cookie) {
        SimplePagedResultsControl control = new SimplePagedResultsControl(PAGE_SIZE, cookie, false);
        return search(connection, settings.peopleBaseDn(), filter, 0, control, attributes);
    }

    /**
     * One asynchronous search of a page of people, sent from the subscribing thread (which just checked the
     * connection out: sending needs no other thread, and waiting for one while holding the connection could starve
     * the pool); the caller releases the connection.
     */
    private Mono<Page> search(LDAPConnection connection, String base, Filter filter, int sizeLimit,
                              @Nullable SimplePagedResultsControl paging, String[] attributes) {
        return Mono.<Page>create(sink -> {
            Collector collector = new Collector((page, error) -> {
                if (error == null) {
                    sink.success(page);
                } else {
                    sink.error(error);
                }
            });
            // No abandon request on cancel: it would write to the socket on the canceller's thread (a Reactor
            // timer). The caller discards the connection instead, and closing it ends the operation.
            sink.onCancel(collector::cancel);
            send(connection, collector, base, filter, sizeLimit, paging, attributes);
        });
    }

    /** Sends a search whose entries and result go to {@code collector}, which also hears of a failure to send. */
    private void send(LDAPConnection connection, Collector collector, String base, Filter filter, int sizeLimit,
                      @Nullable SimplePagedResultsControl paging, String[] attributes) {
        int timeLimitSeconds = (int) Math.max(1, settings.responseTimeout().toSeconds());
        SearchRequest request = new SearchRequest(collector, base, SearchScope.SUB, DereferencePolicy.NEVER,
                sizeLimit, timeLimitSeconds, false, filter, attributes);
        request.setResponseTimeoutMillis(settings.responseTimeout().toMillis());
        if (paging != null) {
            request.addControl(paging);
        }
        try {
            connection.asyncSearch(request);
        } catch (LDAPException e) {
            collector.fail(new CredentialSourceException(name + ": search failed: " + e.getMessage(), e));
        }
    }

    /**
     * Checking out may connect, which blocks: on this source's scheduler. A connection obtained after the caller
     * gave up goes straight back to the pool: either the cancel came before the result (the {@code late} path of
     * {@link #blockingCall}) or while the result was being handed over, when the sink discards it instead of
     * emitting it (without the discard hook, that connection was lost to the pool for good).
     */
    private Mono<LDAPConnection> checkout(LDAPConnectionPool pool) {
        return blockingCall(() -> connect(pool), pool::releaseConnection)
                .doOnDiscard(LDAPConnection.class, pool::releaseConnection);
    }

    /**
     * Runs {@code call} on this source's scheduler. When the subscriber cancelled meanwhile (a timeout), a result is
     * handed to {@code late} and an error is ignored, instead of being reported as dropped.
     *
     * <p>The call is scheduled directly rather than through {@code subscribeOn}: a cancelled {@code subscribeOn}
     * disposes its task by interrupting the thread, and an interrupt inside the LDAP SDK (checking a connection out
     * of a pool, a bind) can leave the pool short of a connection for good. A cancel only marks the call here; a
     * call that has begun runs to its end and its result goes back where it belongs, and a call that has not begun
     * is skipped (a storm of timed-out logins would otherwise queue hundreds of useless checkouts ahead of the
     * next real one).
     */
    private <T> Mono<T> blockingCall(Callable<T> call, Consumer<T> late) {
        return Mono.<T>create(sink -> {
            AtomicBoolean cancelled = new AtomicBoolean();
            sink.onCancel(() -> cancelled.set(true));
            schedule(sink, () -> {
                if (cancelled.get()) {
                    return; // the caller left before the call began: nothing was taken, nothing to give back
                }
                T result;
                try {
                    result = call.call();
                } catch (Exception e) {
                    if (!cancelled.get()) {
                        sink.error(e);
                    }
                    return;
                }
                if (cancelled.get()) {
                    late.accept(result);
                } else {
                    sink.success(result);
                }
            });
        });
    }

    /** Runs {@code task} on this source's scheduler; a full queue is an error for the caller. */
    private void schedule(MonoSink<?> sink, Runnable task) {
        try {
            blocking.schedule(task);
        } catch (RejectedExecutionException busy) {
            sink.error(new CredentialSourceException(name + ": too many logins waiting for the directory", busy));
        }
    }

    private LDAPConnection connect(LDAPConnectionPool pool) {
        try {
            return pool.getConnection();
        } catch (LDAPException e) {
            throw new CredentialSourceException(name + ": no connection: " + e.getMessage(), e);
        }
    }

    private static Mono<Void> release(LDAPConnectionPool pool, LDAPConnection connection) {
        return Mono.fromRunnable(() -> pool.releaseConnection(connection));
    }

    /**
     * A connection in an unknown state (failed or abandoned operation) is closed; the pool replaces it, which
     * connects and so blocks: on a scheduler of its own, without making the caller wait for it. Not on the
     * checkout scheduler: there the replacement would queue behind checkouts that wait for the very connection it
     * brings back, each until the pool's wait runs out.
     */
    private Mono<Void> discard(LDAPConnectionPool pool, LDAPConnection connection) {
        return Mono.fromRunnable(() -> {
            try {
                repairs.schedule(() -> pool.releaseDefunctConnection(connection));
            } catch (RejectedExecutionException full) {
                Thread replacer = new Thread(() -> pool.releaseDefunctConnection(connection), "hato-" + name + "-x");
                replacer.setDaemon(true);
                replacer.start();
            }
        });
    }

    private @Nullable LdapPerson person(SearchResultEntry entry) {
        String authId = entry.getAttributeValue(settings.authIdAttribute());
        if (authId == null || authId.isBlank()) {
            return null;
        }
        return new LdapPerson(authId, entry.getAttributeValue(settings.mailAttribute()),
                entry.getAttributeValue(settings.nameAttribute()));
    }

    private ServerSet serverSet(SSLUtil ssl, LDAPConnectionOptions options, @Nullable BindRequest bind) {
        List<ServerSet> sets = new ArrayList<>();
        try {
            PostConnectProcessor startTls = settings.startTls()
                    ? new StartTLSPostConnectProcessor(ssl.createSSLContext())
                    : null;
            for (String url : settings.urls()) {
                LDAPURL parsed = LdapSettings.parse(settings.name(), url);
                SocketFactory sockets = parsed.getScheme().equals("ldaps")
                        ? new HandshakeTimeoutSocketFactory(ssl.createSSLSocketFactory(),
                                (int) settings.connectTimeout().toMillis())
                        : SocketFactory.getDefault();
                sets.add(new SingleServerSet(parsed.getHost(), parsed.getPort(), sockets, options, bind, startTls));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(name + ": cannot set up TLS: " + e.getMessage(), e);
        }
        return sets.size() == 1 ? sets.get(0) : new FailoverServerSet(sets);
    }

    private LDAPConnectionPool pool(ServerSet servers, @Nullable BindRequest bind, String purpose) {
        LDAPConnectionPool pool;
        try {
            // No initial connections and no failure when the server is down: Hato starts regardless.
            pool = new LDAPConnectionPool(servers, bind, 0, settings.poolSize(), 1, null, false);
        } catch (LDAPException e) {
            throw new IllegalStateException(name + ": cannot create the connection pool: " + e.getMessage(), e);
        }
        pool.setConnectionPoolName("hato-" + name + "-" + purpose);
        pool.setCreateIfNecessary(false);
        pool.setMaxWaitTimeMillis(settings.responseTimeout().toMillis());
        return pool;
    }

    private static X509TrustManager trustManager(LdapSettings settings) {
        if (settings.insecureTrustAll()) {
            return new TrustAllTrustManager();
        }
        if (settings.trust().equals(LdapSettings.SYSTEM_TRUST)) {
            return JVMDefaultTrustManager.getInstance();
        }
        File file = new File(settings.trust());
        if (!file.canRead()) {
            throw new IllegalArgumentException("LDAP source " + settings.name() + ": cannot read the CA file "
                    + settings.trust());
        }
        try {
            PEMFileTrustManager trust = new PEMFileTrustManager(file);
            if (trust.getAcceptedIssuers().length == 0) {
                throw new IllegalArgumentException("LDAP source " + settings.name() + ": no certificate in "
                        + settings.trust());
            }
            return trust;
        } catch (java.security.KeyStoreException e) {
            throw new IllegalArgumentException("LDAP source " + settings.name() + ": unreadable CA file "
                    + settings.trust() + ": " + e.getMessage(), e);
        }
    }

    private static Filter filter(String text) {
        try {
            return Filter.create(text);
        } catch (LDAPException e) {
            throw new IllegalArgumentException("invalid LDAP filter " + text, e);
        }
    }

    /** RFC 4514 §2.4: the auth ID as an attribute value inside a DN. */
    static String escapeDn(String value) {
        String rdn = new RDN("x", value).toString();
        return rdn.substring(rdn.indexOf('=') + 1);
    }

    /** The entries of one search and its final result. */
    private record Page(List<SearchResultEntry> entries, SearchResult result, @Nullable ASN1OctetString cookie) { }

    /** What a search came to: a page, or the error that ended it. */
    @FunctionalInterface
    private interface Outcome {
        void done(@Nullable Page page, @Nullable CredentialSourceException error);
    }

    /** Collects a search's entries on the SDK's reader thread and reports the page (or the failure) once. */
    private final class Collector implements AsyncSearchResultListener {

        private static final long serialVersionUID = 1L;

        private final transient Outcome outcome;
        private final transient List<SearchResultEntry> entries = new ArrayList<>();
        private final AtomicBoolean done = new AtomicBoolean();

        Collector(Outcome outcome) {
            this.outcome = outcome;
        }

        @Override
        public void searchEntryReturned(SearchResultEntry entry) {
            entries.add(entry);
        }

        @Override
        public void searchReferenceReturned(SearchResultReference reference) {
            // Referrals to other servers are not followed: the configured URLs are the directory.
        }

        /** The subscriber is gone: a late result must not be reported as a dropped error. */
        void cancel() {
            done.set(true);
        }

        void fail(CredentialSourceException error) {
            if (done.compareAndSet(false, true)) {
                outcome.done(null, error);
            }
        }

        @Override
        public void searchResultReceived(AsyncRequestID requestId, SearchResult result) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            ResultCode code = result.getResultCode();
            if (code != ResultCode.SUCCESS && code != ResultCode.SIZE_LIMIT_EXCEEDED) {
                outcome.done(null, new CredentialSourceException(name + ": search failed: " + code
                        + (result.getDiagnosticMessage() == null ? "" : " " + result.getDiagnosticMessage())));
                return;
            }
            ASN1OctetString cookie = null;
            try {
                SimplePagedResultsControl paging = SimplePagedResultsControl.get(result);
                if (paging != null && paging.moreResultsToReturn()) {
                    cookie = paging.getCookie();
                }
            } catch (LDAPException e) {
                outcome.done(null, new CredentialSourceException(name + ": bad paging control: " + e.getMessage(),
                        e));
                return;
            }
            outcome.done(new Page(List.copyOf(entries), result, cookie), null);
        }
    }
}
