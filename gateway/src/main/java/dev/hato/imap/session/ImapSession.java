package dev.hato.imap.session;

import dev.hato.delivery.MessageSpool;
import dev.hato.imap.search.ImapSearch;
import dev.hato.imap.wire.ImapCommand;
import dev.hato.imap.wire.ImapCommandParser;
import dev.hato.imap.wire.ImapDecoded;
import dev.hato.imap.wire.ImapFramer;
import dev.hato.protocol.Action;
import dev.hato.protocol.ConnectionInfo;
import dev.hato.protocol.Conversation;
import dev.hato.protocol.ProtocolSession;
import dev.hato.store.directory.Account;
import dev.hato.store.mail.MailboxException;
import dev.hato.store.mail.MailboxInfo;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One IMAP connection (RFC 3501 §3 states: not authenticated, authenticated, selected, logout), its state an explicit
 * {@link ImapState}. Commands are framed by {@link ImapFramer} (literals streamed by {@link ImapLiterals}; an APPEND
 * message goes straight into a {@link MessageSpool}) and parsed by {@link ImapCommandParser}; each parsed command is
 * dispatched through a table of routes, one per command record, to its handler ({@link FetchHandler},
 * {@link StoreHandler}, {@link SelectHandler}, ...), which answers only in the states its route allows. Each
 * command's actions complete before the next frame is decoded.
 *
 * <p>While a mailbox is selected the session keeps a {@link SelectedMailbox} snapshot. Commits of any session or
 * gateway process arrive from the node's {@link MailboxChanges}, with which the session watches its mailbox; they
 * mark the snapshot stale, and the changes are read and announced at the end of the next command (EXPUNGE not during
 * FETCH, STORE, SEARCH: RFC 3501 §7.4.1), at once during IDLE (RFC 2177) through {@link #unsolicited()}, where the
 * sessions of this node woken by the same event share one read and one \Recent claim ({@link ImapUpdates}).
 */
public final class ImapSession implements ProtocolSession {

    private static final Logger LOG = LoggerFactory.getLogger(ImapSession.class);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /** In which states a command is answered by its handler. */
    private enum Requires { ANY, NOT_AUTHENTICATED, AUTHENTICATED, SELECTED }

    /** One entry of the dispatch table. */
    private record Route<C extends ImapCommand>(Requires requires, Function<C, Flux<Action>> handler) {
        Flux<Action> handle(ImapCommand command) {
            @SuppressWarnings("unchecked")
            C typed = (C) command; // the table maps each record class to the route of that class
            return handler.apply(typed);
        }
    }

    private final ImapSettings settings;
    private final ConnectionInfo connection;
    private final ImapServices services;
    private final ImapFramer framer;
    private final ImapCommandParser parser;
    private final AtomicReference<ImapState> state = new AtomicReference<>(new ImapState.NotAuthenticated());
    private final ImapUpdates updates;
    private final ImapLiterals literals;
    private final LoginHandler login;
    private final AuthenticateHandler authenticate;
    private final IdleHandler idle;
    private final AppendHandler append;
    private final Map<Class<? extends ImapCommand>, Route<?>> routes = new HashMap<>();

    private ByteBuffer input = EMPTY;
    private boolean tls;
    private boolean condStore;
    /** CONDSTORE was enabled while a mailbox was selected: the command's end sends HIGHESTMODSEQ (RFC 7162 §3.1). */
    private boolean highestModseqDue;
    private boolean qresync;
    private boolean utf8;
    /** ENABLE IMAP4rev2 (RFC 9051 §6.3.1): the rev2 responses of RFC 9051 Appendix E from now on. */
    private boolean imap4rev2;
    private boolean compressed;
    private int badCommands;

    public ImapSession(ImapSettings settings, ConnectionInfo connection, ImapServices services) {
        this.settings = settings;
        this.connection = connection;
        this.services = services;
        this.tls = connection.tls();
        // LITERAL+ (RFC 7888 §3) has no smaller limit of its own: a {n+} literal is held to the framer's limit like a
        // {n} one (every literal before login, APPENDLIMIT after), and literalStart applies the limit of its command.
        this.framer = new ImapFramer(new ImapFramer.Limits(settings.maxLineLength(), settings.maxLiteralSize(),
                Long.MAX_VALUE, 16 * 1024));
        this.parser = new ImapCommandParser(settings.maxNestingDepth());
        this.updates = new ImapUpdates(this);
        this.literals = new ImapLiterals(this, framer, parser);
        ImapAuthExchange sasl = new ImapAuthExchange(services.sasl(), connection.remoteIp(), services.meters());
        this.login = new LoginHandler(this, sasl);
        this.authenticate = new AuthenticateHandler(this, login, sasl);
        this.idle = new IdleHandler(this);
        this.append = new AppendHandler(this);
        routes();
    }

    /** The dispatch table: every command record the parser yields, with the states it is valid in (RFC 3501 §6). */
    private void routes() {
        AnyStateHandler any = new AnyStateHandler(this);
        route(ImapCommand.Capability.class, Requires.ANY, any::capability);
        route(ImapCommand.Noop.class, Requires.ANY, command -> any.noop(command.tag(), "NOOP"));
        route(ImapCommand.Check.class, Requires.ANY, command -> any.noop(command.tag(), "CHECK"));
        route(ImapCommand.Logout.class, Requires.ANY, any::logout);
        route(ImapCommand.Id.class, Requires.ANY, any::id);
        TransportHandler transport = new TransportHandler(this);
        route(ImapCommand.StartTls.class, Requires.NOT_AUTHENTICATED, transport::startTls);
        route(ImapCommand.Compress.class, Requires.AUTHENTICATED, transport::compress);
        route(ImapCommand.Login.class, Requires.NOT_AUTHENTICATED, login::login);
        route(ImapCommand.Authenticate.class, Requires.NOT_AUTHENTICATED, authenticate::authenticate);
        route(ImapCommand.Namespace.class, Requires.AUTHENTICATED, new NamespaceHandler(this)::namespace);
        route(ImapCommand.Enable.class, Requires.AUTHENTICATED, new EnableHandler(this)::enable);
        route(ImapCommand.Select.class, Requires.AUTHENTICATED, new SelectHandler(this)::select);
        StatusHandler status = new StatusHandler(this);
        ListHandler list = new ListHandler(this, status);
        route(ImapCommand.ListMailboxes.class, Requires.AUTHENTICATED, list::list);
        route(ImapCommand.Lsub.class, Requires.AUTHENTICATED, list::lsub);
        route(ImapCommand.Status.class, Requires.AUTHENTICATED, status::status);
        MailboxHandler mailboxes = new MailboxHandler(this);
        route(ImapCommand.Create.class, Requires.AUTHENTICATED, mailboxes::create);
        route(ImapCommand.Delete.class, Requires.AUTHENTICATED, mailboxes::delete);
        route(ImapCommand.Rename.class, Requires.AUTHENTICATED, mailboxes::rename);
        route(ImapCommand.Subscribe.class, Requires.AUTHENTICATED, new SubscribeHandler(this)::subscribe);
        // Only reached when the message literal was refused or missing: a whole APPEND goes to AppendHandler.
        route(ImapCommand.Append.class, Requires.AUTHENTICATED,
                command -> bad(command.tag(), "APPEND needs a message literal"));
        route(ImapCommand.Idle.class, Requires.AUTHENTICATED, idle::start);
        QuotaHandler quota = new QuotaHandler(this);
        route(ImapCommand.GetQuota.class, Requires.AUTHENTICATED, quota::getQuota);
        route(ImapCommand.GetQuotaRoot.class, Requires.AUTHENTICATED, quota::getQuotaRoot);
        route(ImapCommand.SetQuota.class, Requires.AUTHENTICATED, quota::setQuota);
        route(ImapCommand.Fetch.class, Requires.SELECTED, new FetchHandler(this)::fetch);
        route(ImapCommand.Store.class, Requires.SELECTED, new StoreHandler(this)::store);
        route(ImapCommand.Copy.class, Requires.SELECTED, new CopyHandler(this)::copy);
        ExpungeHandler expunge = new ExpungeHandler(this);
        route(ImapCommand.Expunge.class, Requires.SELECTED, expunge::expunge);
        route(ImapCommand.UidExpunge.class, Requires.SELECTED, expunge::uidExpunge);
        CloseHandler close = new CloseHandler(this);
        route(ImapCommand.Close.class, Requires.SELECTED, close::close);
        route(ImapCommand.Unselect.class, Requires.SELECTED, close::unselect);
        SearchHandler search = new SearchHandler(this);
        route(ImapCommand.Search.class, Requires.SELECTED, search::search);
        route(ImapCommand.Sort.class, Requires.SELECTED, search::sort);
        route(ImapCommand.Thread.class, Requires.SELECTED, search::thread);
    }

    private <C extends ImapCommand> void route(Class<C> type, Requires requires, Function<C, Flux<Action>> handler) {
        routes.put(type, new Route<>(requires, handler));
    }

    @Override
    public Flux<Action> open() {
        services.meters().counter("hato.imap.connections", "tls", Boolean.toString(tls)).increment();
        return line("* OK [CAPABILITY " + capabilities() + "] " + settings.hostName() + " Hato IMAP4rev1 ready");
    }

    @Override
    public Flux<Action> receive(ByteBuffer bytes) {
        input = bytes;
        return Conversation.steps(this::step);
    }

    /**
     * Untagged responses pushed while the client idles (RFC 2177): the edge subscribes once after {@link #open()}
     * and writes them between the outputs of {@link #receive}.
     */
    public Flux<Action> unsolicited() {
        return idle.pushes();
    }

    @Override
    public boolean authenticated() {
        return account() != null;
    }

    @Override
    public Duration idleTimeout() {
        // RFC 3501 §5.4 autologout; RFC 2177: an IDLE client re-issues IDLE within the 30 minutes itself.
        return account() == null ? settings.loginTimeout() : settings.idleTimeout();
    }

    @Override
    public Flux<Action> idle() {
        logout();
        return Flux.just(Action.line("* BYE Autologout; idle for too long"), Action.close());
    }

    @Override
    public Flux<Action> shutdown() {
        logout();
        return Flux.just(Action.line("* BYE [UNAVAILABLE] Server shutting down, try again later"), Action.close());
    }

    @Override
    public void closed() {
        logout();
        literals.discardAppend();
        authenticate.abandon(); // a client that goes away in the middle of a SCRAM exchange has failed a login
        updates.stopWatching();
        idle.closed();
    }

    // ---------------------------------------------------------------------------------------------- framing

    private @Nullable Flux<Action> step() {
        if (stopped()) {
            return null;
        }
        ImapDecoded decoded = framer.next(input);
        if (decoded instanceof ImapDecoded.NeedMore) {
            return null;
        }
        if (decoded instanceof ImapDecoded.LiteralStart start) {
            return literals.start(start);
        }
        if (decoded instanceof ImapDecoded.LiteralChunk chunk) {
            return literals.chunk(chunk);
        }
        if (decoded instanceof ImapDecoded.LiteralEnd) {
            literals.end();
            return Flux.empty();
        }
        if (decoded instanceof ImapDecoded.Failure failure) {
            literals.clear();
            literals.discardAppend();
            String tag = failure.tag() == null ? "*" : failure.tag();
            if (authenticate.inExchange()) {
                return authenticate.lineTooLong();
            }
            return switch (failure.kind()) {
                // RFC 7889 §4: a message over APPENDLIMIT is refused with TOOBIG. After login only a literal over
                // APPENDLIMIT gets here, whatever its command, so the answer names the literal, not a message.
                case LITERAL_TOO_LARGE -> account() != null
                        ? tagged(tag, "NO [TOOBIG] Literal larger than APPENDLIMIT " + settings.appendLimit())
                        : bad(tag, "Literal too large before login");
                case LINE_TOO_LONG -> bad(tag, "Command line too long");
                case MALFORMED_LITERAL -> bad(tag, "Malformed literal");
            };
        }
        ImapDecoded.Frame frame = (ImapDecoded.Frame) decoded;
        if (authenticate.inExchange()) {
            return authenticate.respond(frame.text());
        }
        String idling = idle.tag();
        if (idling != null) {
            return idle.end(idling, frame.text());
        }
        ImapCommand command = parser.parse(frame.line(), literals.take());
        List<MessageSpool> spools = literals.takeSpools();
        if (command instanceof ImapCommand.Append appendCommand && !spools.isEmpty()) {
            return append.append(appendCommand, spools);
        }
        spools.forEach(MessageSpool::discard);
        return command(command);
    }

    // ---------------------------------------------------------------------------------------------- dispatch

    private Flux<Action> command(ImapCommand command) {
        String tag = command.tag();
        // The record's name is a bounded tag: one per command the parser knows, "Invalid" for the rest.
        services.meters().counter("hato.imap.commands", "command", command.getClass().getSimpleName()).increment();
        if (command instanceof ImapCommand.Invalid invalid) {
            return bad(tag, invalid.text());
        }
        Route<?> route = routes.get(command.getClass());
        if (route != null && route.requires() == Requires.ANY) {
            return route.handle(command);
        }
        if (account() == null) {
            if (route != null && route.requires() == Requires.NOT_AUTHENTICATED) {
                return route.handle(command);
            }
            return bad(tag, "Log in first");
        }
        try {
            if (route != null && route.requires() == Requires.NOT_AUTHENTICATED) {
                return bad(tag, "Already logged in");
            }
            if (route != null && route.requires() == Requires.AUTHENTICATED) {
                return route.handle(command);
            }
            if (selected() == null) {
                return bad(tag, "No mailbox selected");
            }
            return route == null ? bad(tag, "Command not supported") : route.handle(command);
        } catch (MailboxException e) {
            // a mailbox argument that can name no mailbox (MailboxNames): NO, the command was well-formed
            return refused(tag, e);
        } catch (IllegalArgumentException e) {
            return bad(tag, e.getMessage() == null ? "Invalid arguments" : e.getMessage());
        }
    }

    String capabilities() {
        // RFC 9051 §6.1.1: with both revisions advertised, a client gets rev2 behaviour only after ENABLE IMAP4rev2.
        // LITERAL+ covers rev2's non-synchronizing literals (RFC 9051 §4.3), and RFC 7888 §5 forbids advertising
        // LITERAL- beside it.
        List<String> caps = new ArrayList<>(List.of("IMAP4rev1", "IMAP4rev2", "LITERAL+", "SASL-IR", "ID", "ENABLE",
                "IDLE"));
        if (account() == null) {
            if (!tls) {
                if (settings.startTlsOffered()) {
                    caps.add("STARTTLS");
                }
                // RFC 3501 §6.2.3 and §11.1: no plain-text login, and no AUTH= mechanisms, before TLS.
                caps.add("LOGINDISABLED");
            } else {
                caps.addAll(authenticate.capabilities());
            }
        } else {
            caps.addAll(List.of("NAMESPACE", "UNSELECT", "UIDPLUS", "MOVE", "CHILDREN", "SPECIAL-USE",
                    "LIST-EXTENDED", "LIST-STATUS", "CONDSTORE", "QRESYNC", "STATUS=SIZE", "QUOTA",
                    "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE", "UTF8=ACCEPT", "BINARY",
                    "APPENDLIMIT=" + settings.appendLimit(), "MULTIAPPEND", "SAVEDATE"));
            caps.addAll(List.of("OBJECTID", "PREVIEW")); // RFC 8474, RFC 8970
            caps.addAll(ImapSearch.CAPABILITIES);
            if (!compressed) {
                caps.add("COMPRESS=DEFLATE");
            }
        }
        return String.join(" ", caps);
    }

    // ---------------------------------------------------------------------------------------------- state

    ImapState state() {
        return state.get();
    }

    /** Moves to {@code next}, unless the session is already logging out (no transition leaves Logout). */
    boolean enter(ImapState next) {
        ImapState now = state.getAndUpdate(current -> current instanceof ImapState.Logout ? current : next);
        return !(now instanceof ImapState.Logout);
    }

    /** Enters Logout, keeping who was logged in. */
    void logout() {
        state.getAndUpdate(current -> current instanceof ImapState.Logout ? current
                : new ImapState.Logout(current.account()));
    }

    boolean stopped() {
        return state.get() instanceof ImapState.Logout;
    }

    @Nullable Account account() {
        return state.get().account();
    }

    /** The account logged in, for the handlers of commands whose route requires a login. */
    Account user() {
        return Objects.requireNonNull(account(), "no login");
    }

    /** The selected mailbox, for the handlers of commands whose route requires one. */
    SelectedMailbox mailbox() {
        return Objects.requireNonNull(selected(), "no mailbox selected");
    }

    @Nullable SelectedMailbox selected() {
        return state.get() instanceof ImapState.Selected selection ? selection.mailbox() : null;
    }

    /** RFC 5182: the UIDs of the last SEARCH ... RETURN (SAVE) of this selection, for {@code $}. */
    List<Long> savedResult() {
        return state.get() instanceof ImapState.Selected selection ? selection.saved() : List.of();
    }

    void saveResult(List<Long> uids) {
        ImapState now = state.get();
        if (now instanceof ImapState.Selected selection) {
            state.compareAndSet(now, selection.withSaved(uids));
        }
    }

    /** Leaves the selected state (the watch on its mailbox ends, and with it RFC 5182's saved result). */
    void unselect() {
        highestModseqDue = false;
        updates.stopWatching();
        ImapState now = state.get();
        if (now instanceof ImapState.Selected selection) {
            enter(new ImapState.Authenticated(selection.account()));
        }
    }

    ImapSettings settings() {
        return settings;
    }

    ImapServices services() {
        return services;
    }

    ConnectionInfo connection() {
        return connection;
    }

    ImapFramer framer() {
        return framer;
    }

    ImapUpdates updates() {
        return updates;
    }

    /** An event changed the selected mailbox: a running IDLE pushes it. */
    void wakeIdle() {
        idle.wake();
    }

    boolean tls() {
        return tls;
    }

    /**
     * TLS starts after this command's reply: the framer starts afresh and whatever the client pipelined after the
     * command is dropped (RFC 3501 §6.2.1).
     */
    void startTls() {
        tls = true;
        framer.reset();
        literals.clear();
        dropPipelined();
    }

    boolean compressed() {
        return compressed;
    }

    /** RFC 4978 §3: DEFLATE from the next octet on; pipelined input is not read. */
    void compress() {
        compressed = true;
        dropPipelined();
    }

    /**
     * What the client sent after the command just read, taken out of the session's input: for the old server a
     * proxied login hands the connection to (the framer holds nothing once a command is complete).
     */
    ByteBuffer takeUnread() {
        ByteBuffer rest = ByteBuffer.allocate(input.remaining());
        rest.put(input).flip();
        return rest;
    }

    private void dropPipelined() {
        input.position(input.limit());
    }

    boolean condStore() {
        return condStore;
    }

    /**
     * A CONDSTORE-enabling command (RFC 7162 §3.1). When it is the first and a mailbox is selected, the client learns
     * the mailbox's HIGHESTMODSEQ before the command's tagged reply ({@link #takeHighestModseqDue()}); a SELECT or
     * EXAMINE with CONDSTORE enables it before its mailbox is selected and reports HIGHESTMODSEQ itself.
     */
    void enableCondStore() {
        if (!condStore && selected() != null) {
            highestModseqDue = true;
        }
        condStore = true;
    }

    /** Whether HIGHESTMODSEQ is due after a CONDSTORE-enabling command, once. */
    boolean takeHighestModseqDue() {
        boolean due = highestModseqDue;
        highestModseqDue = false;
        return due;
    }

    boolean qresync() {
        return qresync;
    }

    /** RFC 7162 §3.2.3: enabling QRESYNC implies CONDSTORE. */
    void enableQresync() {
        qresync = true;
        enableCondStore();
    }

    /**
     * Whether mailbox names travel as UTF-8, never modified UTF-7: after ENABLE UTF8=ACCEPT (RFC 6855 §3) or ENABLE
     * IMAP4rev2 (RFC 9051 §5.1, Appendix E item 16).
     */
    boolean utf8() {
        return utf8 || imap4rev2;
    }

    /** Whether UTF8=ACCEPT itself was enabled (RFC 6855 §3). */
    boolean utf8Accept() {
        return utf8;
    }

    /** RFC 6855 §3: from now on mailbox names are UTF-8, never modified UTF-7. */
    void enableUtf8() {
        utf8 = true;
    }

    boolean imap4rev2() {
        return imap4rev2;
    }

    /**
     * RFC 9051 §6.3.1: IMAP4rev2 from now on. A client must enable it before selecting (the server need not check);
     * a mailbox already selected gets the rev2 responses from now on too.
     */
    void enableImap4rev2() {
        imap4rev2 = true;
        SelectedMailbox mailbox = selected();
        if (mailbox != null) {
            mailbox.imap4rev2();
        }
    }

    /** The mailbox, or a NONEXISTENT error (TRYCREATE for a COPY/APPEND target is decided by the caller). */
    Mono<MailboxInfo> find(Account user, String name) {
        return services.mailboxes().find(user.id(), name).switchIfEmpty(Mono.error(
                new MailboxException(MailboxException.Reason.NONEXISTENT, "No such mailbox")));
    }

    // ---------------------------------------------------------------------------------------------- replies

    /** Runs a command's work, turning store refusals into tagged NO with RFC 5530 codes. */
    Flux<Action> guarded(String tag, Flux<Action> work) {
        return work.onErrorResume(failure -> {
            if (failure instanceof MailboxException refused) {
                return refused(tag, refused);
            }
            if (failure instanceof IllegalArgumentException invalid) {
                return bad(tag, String.valueOf(invalid.getMessage()));
            }
            LOG.warn("IMAP command failed: {}", failure.toString(), failure);
            return line(tag + " NO [UNAVAILABLE] Temporary failure, try again later");
        });
    }

    /** A store refusal (or a name that can be no mailbox) as a tagged NO with its RFC 5530 code. */
    static Flux<Action> refused(String tag, MailboxException refused) {
        String text = refused.getMessage() == null ? "Refused" : refused.getMessage();
        String code = text.startsWith("[") ? "" : switch (refused.reason()) {
            case NONEXISTENT -> "[NONEXISTENT] ";
            case ALREADY_EXISTS -> "[ALREADYEXISTS] ";
            case CANNOT -> "[CANNOT] ";
            case OVER_QUOTA -> "[OVERQUOTA] ";
            case LIMIT -> "[LIMIT] ";
        };
        return line(tag + " NO " + code + text);
    }

    /**
     * The end of a command: changes announced by other sessions are read when the snapshot is stale and sent before
     * the tagged response.
     */
    Flux<Action> done(String tag, String text, boolean expungesAllowed) {
        return updates.done(tag, text, expungesAllowed, false);
    }

    /** As {@link #done(String, String, boolean)}, reading changes even when the snapshot is not stale. */
    Flux<Action> done(String tag, String text, boolean expungesAllowed, boolean force) {
        return updates.done(tag, text, expungesAllowed, force);
    }

    /** As {@link #done(String, String, boolean, boolean)}, with a tagged text that depends on the changes read. */
    Flux<Action> done(String tag, Supplier<String> text, boolean expungesAllowed, boolean force) {
        return updates.done(tag, text, expungesAllowed, force);
    }

    Flux<Action> bad(String tag, String text) {
        return refusal(tag + " BAD " + text);
    }

    Flux<Action> no(String tag, String text) {
        return refusal(tag + " NO " + text);
    }

    /** Refusals before login count: a client that keeps sending nonsense is told BYE (STYLE §2 limits). */
    private Flux<Action> refusal(String text) {
        if (account() == null) {
            badCommands++;
            if (badCommands >= settings.maxBadCommandsBeforeLogin()) {
                logout();
                return Flux.just(Action.line(text), Action.line("* BYE Too many invalid commands"), Action.close());
            }
        }
        return line(text);
    }

    static Flux<Action> tagged(String tag, String text) {
        return line(tag + " " + text);
    }

    static Flux<Action> line(String text) {
        return Flux.just(Action.line(text));
    }
}
