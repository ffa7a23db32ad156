package dev.hato.imap.session;

import dev.hato.delivery.MessageSpool;
import dev.hato.imap.search.BadCharsetException;
import dev.hato.imap.search.ImapSearch;
import dev.hato.imap.search.SearchContext;
import dev.hato.imap.search.SearchResponses;
import dev.hato.imap.wire.FetchAttribute;
import dev.hato.imap.wire.ImapCommand;
import dev.hato.imap.wire.ImapCommandParser;
import dev.hato.imap.wire.ImapDecoded;
import dev.hato.imap.wire.ImapFramer;
import dev.hato.message.MessageLimitCheck;
import dev.hato.protocol.Action;
import dev.hato.protocol.ConnectionInfo;
import dev.hato.protocol.Conversation;
import dev.hato.protocol.ProtocolSession;
import dev.hato.store.directory.Account;
import dev.hato.store.mail.MailboxException;
import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.MailboxStatus;
import dev.hato.store.mail.Mailboxes.RecentClaim;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessageMeta;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One IMAP connection (RFC 3501 §3 states: not authenticated, authenticated, selected, logout). Commands are framed
 * by {@link ImapFramer} (literals streamed; an APPEND message goes straight into a {@link MessageSpool}) and parsed
 * by {@link ImapCommandParser}; each command's actions complete before the next frame is decoded.
 *
 * <p>While a mailbox is selected the session keeps a {@link SelectedMailbox} snapshot. Commits of any session or
 * gateway process arrive from the node's {@link MailboxChanges}, with which the session watches its mailbox; they
 * mark the snapshot stale, and the changes are read and announced at the end of the next command (EXPUNGE not during
 * FETCH, STORE, SEARCH: RFC 3501 §7.4.1), at once during IDLE (RFC 2177) through {@link #unsolicited()}, where the
 * sessions of this node woken by the same event share one read and one \Recent claim.
 */
public final class ImapSession implements ProtocolSession {

    private static final Logger LOG = LoggerFactory.getLogger(ImapSession.class);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** Messages of one FETCH rendered per read-ahead (FetchRenderer.prefetch): one query each, their heads held. */
    private static final int FETCH_WINDOW = 50;
    private static final Set<String> STATUS_ITEMS = Set.of("MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN",
            "HIGHESTMODSEQ", "SIZE", "DELETED");
    // Linear on any input: one character class repeated at most 100 times, with nothing it could overlap with, so a
    // match fails after at most 100 steps forward and as many back (no nested or adjacent quantifiers).
    private static final Pattern KEYWORD = Pattern.compile("[!#$&'+-\\[^-z|~]{1,100}");

    private final ImapSettings settings;
    private final ConnectionInfo connection;
    private final ImapServices services;
    private final ImapFramer framer;
    private final ImapCommandParser parser;
    private final AtomicBoolean stale = new AtomicBoolean();
    private final Sinks.Many<Boolean> wake = Sinks.many().unicast().onBackpressureBuffer();

    private ByteBuffer input = EMPTY;
    private volatile boolean stopped;
    private boolean tls;
    private @Nullable Account account;
    private @Nullable SelectedMailbox selected;
    private boolean condStore;
    private boolean qresync;
    private boolean utf8;
    private boolean compressed;
    private int badCommands;
    private int authFailures;

    /** AUTHENTICATE and LOGIN over the SASL engine; while an exchange runs, lines are its responses. */
    private final ImapAuthExchange sasl;

    /** Literals of the command being received, in line order; the APPEND message is only counted. */
    private final List<byte[]> literals = new ArrayList<>();
    private @Nullable ByteArrayOutputStream literal;
    private @Nullable MessageSpool appendSpool;
    /** The MIME limits of the message being APPENDed, checked as its literal is spooled (as SMTP does). */
    private @Nullable MessageLimitCheck appendShape;

    /** RFC 5182: the UIDs of the last SEARCH ... RETURN (SAVE), for {@code $}. */
    private List<Long> savedResult = List.of();

    /** The tag of the IDLE command running, or null. */
    private volatile @Nullable String idleTag;
    /** Completes when the IDLE push running (if any) is over; DONE waits for it. */
    private volatile Mono<Void> idlePush = Mono.empty();
    /** The watch on the selected mailbox's events, or null. */
    private volatile @Nullable Disposable events;

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
        this.sasl = new ImapAuthExchange(services.sasl(), connection.remoteIp(), services.meters());
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
        return wake.asFlux().concatMap(ignored -> {
            Sinks.Empty<Void> done = Sinks.empty();
            idlePush = done.asMono();
            if (idleTag == null || selected == null) {
                done.tryEmitEmpty();
                return Flux.<Action>empty();
            }
            // Woken by an event (nothing of this session's own is pending while it idles): the read may be shared.
            return refresh(true).thenMany(Flux.defer(() -> untagged(true)))
                    .onErrorResume(failure -> {
                        LOG.warn("IMAP IDLE refresh failed: {}", failure.toString());
                        return Flux.empty();
                    })
                    .doFinally(signal -> done.tryEmitEmpty());
        });
    }

    @Override
    public boolean authenticated() {
        return account != null;
    }

    @Override
    public Duration idleTimeout() {
        // RFC 3501 §5.4 autologout; RFC 2177: an IDLE client re-issues IDLE within the 30 minutes itself.
        return account == null ? settings.loginTimeout() : settings.idleTimeout();
    }

    @Override
    public Flux<Action> idle() {
        stopped = true;
        return Flux.just(Action.line("* BYE Autologout; idle for too long"), Action.close());
    }

    @Override
    public Flux<Action> shutdown() {
        stopped = true;
        return Flux.just(Action.line("* BYE [UNAVAILABLE] Server shutting down, try again later"), Action.close());
    }

    @Override
    public void closed() {
        stopped = true;
        discardAppend();
        sasl.abandon(); // a client that goes away in the middle of a SCRAM exchange has failed a login
        stopWatching();
        wake.tryEmitComplete();
    }

    // ---------------------------------------------------------------------------------------------- framing

    private @Nullable Flux<Action> step() {
        if (stopped) {
            return null;
        }
        ImapDecoded decoded = framer.next(input);
        if (decoded instanceof ImapDecoded.NeedMore) {
            return null;
        }
        if (decoded instanceof ImapDecoded.LiteralStart start) {
            return literalStart(start);
        }
        if (decoded instanceof ImapDecoded.LiteralChunk chunk) {
            MessageSpool spool = appendSpool;
            if (spool != null) {
                MessageLimitCheck shape = appendShape;
                if (shape != null) {
                    shape.feed(chunk.bytes());
                }
                return spool.append(chunk.bytes()).thenMany(Flux.<Action>empty());
            }
            ByteArrayOutputStream current = literal;
            if (current != null) {
                ByteBuffer bytes = chunk.bytes();
                current.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
            }
            return Flux.empty();
        }
        if (decoded instanceof ImapDecoded.LiteralEnd) {
            ByteArrayOutputStream current = literal;
            literal = null;
            literals.add(current == null ? new byte[0] : current.toByteArray());
            return Flux.empty();
        }
        if (decoded instanceof ImapDecoded.Failure failure) {
            literals.clear();
            literal = null;
            discardAppend();
            String tag = failure.tag() == null ? "*" : failure.tag();
            if (sasl.active()) {
                return authReply(sasl.lineTooLong());
            }
            return switch (failure.kind()) {
                // RFC 7889 §4: a message over APPENDLIMIT is refused with TOOBIG. After login only a literal over
                // APPENDLIMIT gets here, whatever its command, so the answer names the literal, not a message.
                case LITERAL_TOO_LARGE -> account != null
                        ? tagged(tag, "NO [TOOBIG] Literal larger than APPENDLIMIT " + settings.appendLimit())
                        : bad(tag, "Literal too large before login");
                case LINE_TOO_LONG -> bad(tag, "Command line too long");
                case MALFORMED_LITERAL -> bad(tag, "Malformed literal");
            };
        }
        ImapDecoded.Frame frame = (ImapDecoded.Frame) decoded;
        if (sasl.active()) {
            return sasl.respond(frame.text()).flatMapMany(this::authReply);
        }
        String idling = idleTag;
        if (idling != null) {
            return idleEnd(idling, frame.text());
        }
        List<byte[]> lineLiterals = List.copyOf(literals);
        literals.clear();
        ImapCommand command = parser.parse(frame.line(), lineLiterals);
        MessageSpool spool = appendSpool;
        appendSpool = null;
        if (command instanceof ImapCommand.Append append && spool != null) {
            return append(append, spool);
        }
        if (spool != null) {
            spool.discard();
        }
        return command(command);
    }

    /** RFC 3501 §7.5: {@code + } only when the literal is accepted; else the command is refused at once. */
    private Flux<Action> literalStart(ImapDecoded.LiteralStart start) {
        String prefix = start.prefix();
        int space = prefix.indexOf(' ');
        String tag = space < 0 ? "*" : prefix.substring(0, space);
        if (isAppendMessage(prefix) && appendSpool == null) {
            if (account == null) {
                framer.refuseLiteral();
                literals.clear();
                return bad(tag, "APPEND is not valid before login");
            }
            if (start.size() > settings.appendLimit()) {
                framer.refuseLiteral();
                literals.clear();
                return tagged(tag, "NO [TOOBIG] Message larger than APPENDLIMIT " + settings.appendLimit());
            }
            if (start.size() == 0) {
                // RFC 5322 §3.6: a message has at least an origination date and an originator field; zero octets
                // have neither, and no client means to store them (Dovecot refuses them too). Refused before "+".
                framer.refuseLiteral();
                literals.clear();
                return tagged(tag, "NO [CANNOT] APPEND of an empty message (zero octets) refused");
            }
            String refusal = start.synchronizing() ? appendRefusal(prefix) : null;
            if (refusal != null) {
                // RFC 3501 §7.5: the client waits for "+"; a command already known to be bad is refused instead, so
                // that the message is never sent.
                framer.refuseLiteral();
                literals.clear();
                return bad(tag, refusal);
            }
            appendSpool = new MessageSpool(settings.spoolDirectory(), settings.spoolMemoryLimit(), services.io());
            appendShape = new MessageLimitCheck(settings.messageLimits());
            literal = null;
        } else {
            if (start.size() > settings.maxLiteralSize()) {
                framer.refuseLiteral();
                literals.clear();
                discardAppend();
                // Only an APPEND message may be larger than hato.imap.max-literal-size; say which command's
                // argument was too large, not APPENDLIMIT.
                return bad(tag, "[TOOBIG] Literal too large for " + commandName(prefix) + ": at most "
                        + settings.maxLiteralSize() + " octets outside an APPEND message");
            }
            literal = new ByteArrayOutputStream((int) Math.min(start.size(), 64 * 1024));
        }
        return start.synchronizing() ? line("+ Ready for literal data") : Flux.empty();
    }

    /**
     * Why an APPEND whose message literal is announced at the end of {@code prefix} will be refused whatever the
     * message holds (a flag that cannot be stored, a mailbox name that is not one); null when it may go ahead, or
     * when the prefix is not one this check reads (RFC 6855 {@code UTF8 (~{n}}), which the full command then checks.
     */
    private @Nullable String appendRefusal(String prefix) {
        List<byte[]> withMessage = new ArrayList<>(literals);
        withMessage.add(new byte[0]);
        ImapCommand early = parser.parse(prefix.getBytes(StandardCharsets.UTF_8), withMessage);
        if (!(early instanceof ImapCommand.Append append)) {
            return null;
        }
        for (String flag : append.flags()) {
            if (canonicalFlag(flag) == null) {
                return "Invalid flag " + flag;
            }
        }
        try {
            MailboxNames.fromWire(append.mailbox(), utf8);
        } catch (IllegalArgumentException e) {
            return String.valueOf(e.getMessage());
        }
        return null;
    }

    /**
     * Whether the literal announced at the end of {@code prefix} is an APPEND message: the command is APPEND and the
     * literal is not its first argument (the mailbox name, which may be a literal too).
     */
    private static boolean isAppendMessage(String prefix) {
        int first = prefix.indexOf(' ');
        if (first < 0) {
            return false;
        }
        int second = prefix.indexOf(' ', first + 1);
        if (second < 0 || !prefix.substring(first + 1, second).equalsIgnoreCase("APPEND")) {
            return false;
        }
        String rest = prefix.substring(second + 1);
        return !(rest.startsWith("{") && rest.indexOf(' ') < 0);
    }

    /** The command word of a command line's start ({@code UID SEARCH} with its UID), upper-cased, for replies. */
    private static String commandName(String prefix) {
        int start = prefix.indexOf(' ') + 1;
        int end = prefix.indexOf(' ', start);
        if (start == 0 || end < 0) {
            return "this command";
        }
        if (prefix.regionMatches(true, start, "UID ", 0, 4) && prefix.indexOf(' ', end + 1) > 0) {
            end = prefix.indexOf(' ', end + 1);
        }
        return prefix.substring(start, end).toUpperCase(java.util.Locale.ROOT);
    }

    private void discardAppend() {
        MessageSpool spool = appendSpool;
        appendSpool = null;
        appendShape = null;
        if (spool != null) {
            spool.discard();
        }
    }

    // ---------------------------------------------------------------------------------------------- dispatch

    private Flux<Action> command(ImapCommand command) {
        String tag = command.tag();
        // The record's name is a bounded tag: one per command the parser knows, "Invalid" for the rest.
        services.meters().counter("hato.imap.commands", "command", command.getClass().getSimpleName()).increment();
        if (command instanceof ImapCommand.Invalid invalid) {
            return bad(tag, invalid.text());
        }
        if (command instanceof ImapCommand.Capability) {
            return Flux.concat(line("* CAPABILITY " + capabilities()), done(tag, "OK CAPABILITY completed", true));
        }
        if (command instanceof ImapCommand.Noop || command instanceof ImapCommand.Check) {
            stale.set(true);
            return done(tag, "OK " + (command instanceof ImapCommand.Noop ? "NOOP" : "CHECK") + " completed", true);
        }
        if (command instanceof ImapCommand.Logout) {
            stopped = true;
            return Flux.just(Action.line("* BYE " + settings.hostName() + " Hato IMAP server signing off"),
                    Action.line(tag + " OK LOGOUT completed"), Action.close());
        }
        if (command instanceof ImapCommand.Id) {
            // RFC 2971 §3.3: the server's own identification; what the client sent is not kept.
            return Flux.concat(line("* ID (\"name\" \"Hato\" \"version\" " + ResponseText.quoted(services.version())
                    + ")"), done(tag, "OK ID completed", true));
        }
        Account user = account;
        if (user == null) {
            if (command instanceof ImapCommand.StartTls) {
                return startTls(tag);
            }
            if (command instanceof ImapCommand.Login login) {
                return login(tag, login);
            }
            if (command instanceof ImapCommand.Authenticate authenticate) {
                return authenticate(tag, authenticate);
            }
            return bad(tag, "Log in first");
        }
        try {
            return authenticated(user, command);
        } catch (IllegalArgumentException e) {
            return bad(tag, e.getMessage() == null ? "Invalid arguments" : e.getMessage());
        }
    }

    private Flux<Action> authenticated(Account user, ImapCommand command) {
        String tag = command.tag();
        if (command instanceof ImapCommand.StartTls || command instanceof ImapCommand.Login
                || command instanceof ImapCommand.Authenticate) {
            return bad(tag, "Already logged in");
        }
        if (command instanceof ImapCommand.Namespace) {
            return Flux.concat(line("* NAMESPACE ((\"\" \"/\")) NIL NIL"), done(tag, "OK NAMESPACE completed", true));
        }
        if (command instanceof ImapCommand.Enable enable) {
            return enable(tag, enable);
        }
        if (command instanceof ImapCommand.Select select) {
            return select(user, select);
        }
        if (command instanceof ImapCommand.ListMailboxes list) {
            return guarded(tag, list(user, list));
        }
        if (command instanceof ImapCommand.Lsub lsub) {
            return guarded(tag, lsub(user, lsub));
        }
        if (command instanceof ImapCommand.Status status) {
            return guarded(tag, status(user, status));
        }
        if (command instanceof ImapCommand.Create create) {
            String name = MailboxNames.forCreate(create.mailbox(), utf8);
            return guarded(tag, services.mailboxes().create(user.id(), name, null)
                    .thenMany(done(tag, "OK CREATE completed", true)));
        }
        if (command instanceof ImapCommand.Delete delete) {
            return delete(user, delete);
        }
        if (command instanceof ImapCommand.Rename rename) {
            String from = MailboxNames.fromWire(rename.from(), utf8);
            String to = MailboxNames.forCreate(rename.to(), utf8);
            return guarded(tag, services.mailboxes().rename(user.id(), from, to)
                    .thenMany(done(tag, "OK RENAME completed", true)));
        }
        if (command instanceof ImapCommand.Subscribe subscribe) {
            String name = MailboxNames.fromWire(subscribe.mailbox(), utf8);
            return guarded(tag, services.mailboxes().subscribe(user.id(), name, subscribe.subscribe())
                    .thenMany(done(tag, "OK " + (subscribe.subscribe() ? "SUBSCRIBE" : "UNSUBSCRIBE")
                            + " completed", true)));
        }
        if (command instanceof ImapCommand.Append) {
            // Only reached when the message literal was refused or missing.
            return bad(tag, "APPEND needs a message literal");
        }
        if (command instanceof ImapCommand.Idle) {
            return idleStart(tag);
        }
        if (command instanceof ImapCommand.GetQuota getQuota) {
            if (!getQuota.root().isEmpty()) {
                return no(tag, "[NONEXISTENT] No such quota root; the account's quota root is \"\"");
            }
            return guarded(tag, quota(user).concatWith(done(tag, "OK GETQUOTA completed", true)));
        }
        if (command instanceof ImapCommand.GetQuotaRoot getQuotaRoot) {
            String name = MailboxNames.fromWire(getQuotaRoot.mailbox(), utf8);
            // RFC 9208 §4.3: every mailbox of the account shares the one quota root "".
            return guarded(tag, find(user, name).thenMany(Flux.concat(
                    line("* QUOTAROOT " + MailboxNames.toWire(name, utf8) + " \"\""), quota(user),
                    done(tag, "OK GETQUOTAROOT completed", true))));
        }
        if (command instanceof ImapCommand.SetQuota) {
            // RFC 9208 §4.1: quotas are the operator's (hato user quota), not the user's to change.
            return no(tag, "[NOPERM] Quotas are set by the administrator");
        }
        if (command instanceof ImapCommand.Compress compress) {
            return compress(tag, compress);
        }
        SelectedMailbox mailbox = selected;
        if (mailbox == null) {
            return bad(tag, "No mailbox selected");
        }
        if (command instanceof ImapCommand.Fetch fetch) {
            return guarded(tag, fetch(user, mailbox, fetch));
        }
        if (command instanceof ImapCommand.Store store) {
            return guarded(tag, store(user, mailbox, store));
        }
        if (command instanceof ImapCommand.Copy copy) {
            return guarded(tag, copy(user, mailbox, copy));
        }
        if (command instanceof ImapCommand.Expunge) {
            return guarded(tag, expunge(user, mailbox, tag, null));
        }
        if (command instanceof ImapCommand.UidExpunge uidExpunge) {
            return guarded(tag, expunge(user, mailbox, tag,
                    mailbox.resolve(uidExpunge.set(), true, savedResult)));
        }
        if (command instanceof ImapCommand.Close) {
            return guarded(tag, close(user, mailbox, tag));
        }
        if (command instanceof ImapCommand.Unselect) {
            unselect();
            return line(tag + " OK UNSELECT completed");
        }
        if (command instanceof ImapCommand.Search search) {
            return search(user, mailbox, search);
        }
        if (command instanceof ImapCommand.Sort sort) {
            return sort(user, mailbox, sort);
        }
        if (command instanceof ImapCommand.Thread thread) {
            return thread(user, mailbox, thread);
        }
        return bad(tag, "Command not supported");
    }

    private String capabilities() {
        List<String> caps = new ArrayList<>(List.of("IMAP4rev1", "LITERAL+", "SASL-IR", "ID", "ENABLE", "IDLE"));
        if (account == null) {
            if (!tls) {
                if (settings.startTlsOffered()) {
                    caps.add("STARTTLS");
                }
                // RFC 3501 §6.2.3 and §11.1: no plain-text login, and no AUTH= mechanisms, before TLS.
                caps.add("LOGINDISABLED");
            } else {
                caps.addAll(sasl.capabilities());
            }
        } else {
            caps.addAll(List.of("NAMESPACE", "UNSELECT", "UIDPLUS", "MOVE", "CHILDREN", "SPECIAL-USE",
                    "LIST-EXTENDED", "LIST-STATUS", "CONDSTORE", "QRESYNC", "STATUS=SIZE", "QUOTA",
                    "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE", "UTF8=ACCEPT", "BINARY",
                    "APPENDLIMIT=" + settings.appendLimit()));
            caps.addAll(ImapSearch.CAPABILITIES);
            if (!compressed) {
                caps.add("COMPRESS=DEFLATE");
            }
        }
        return String.join(" ", caps);
    }

    // ---------------------------------------------------------------------------------------------- login

    private Flux<Action> startTls(String tag) {
        if (tls || !settings.startTlsOffered()) {
            return bad(tag, tls ? "TLS is already active" : "STARTTLS is not available on this port");
        }
        tls = true;
        framer.reset();
        literals.clear();
        // RFC 3501 §6.2.1: whatever the client pipelined after STARTTLS is dropped, not read as if it came over TLS.
        input.position(input.limit());
        return Flux.just(new Action.StartTls(ByteBuffer.wrap((tag + " OK Begin TLS negotiation now\r\n")
                .getBytes(StandardCharsets.US_ASCII))));
    }

    private Flux<Action> login(String tag, ImapCommand.Login login) {
        if (!tls) {
            // RFC 3501 §6.2.3: LOGINDISABLED means LOGIN gets NO.
            return no(tag, "[PRIVACYREQUIRED] Plain-text login is not allowed without TLS; use STARTTLS first");
        }
        return sasl.password(tag, login.userid(), login.password()).flatMapMany(this::authReply);
    }

    private Flux<Action> authenticate(String tag, ImapCommand.Authenticate authenticate) {
        if (!tls) {
            return no(tag, "[PRIVACYREQUIRED] Authentication is not allowed without TLS; use STARTTLS first");
        }
        return sasl.start(tag, authenticate.mechanism(), authenticate.initialResponse()).flatMapMany(this::authReply);
    }

    /** A {@code +} challenge, a login, or a tagged refusal (RFC 5530 codes) counted against the session's limits. */
    private Flux<Action> authReply(ImapAuthExchange.Reply reply) {
        if (reply instanceof ImapAuthExchange.Continue next) {
            return line(next.line());
        }
        if (reply instanceof ImapAuthExchange.LoggedIn loggedIn) {
            return loggedIn(loggedIn.tag(), loggedIn.account());
        }
        ImapAuthExchange.Refused refused = (ImapAuthExchange.Refused) reply;
        return switch (refused.kind()) {
            case BAD -> bad(refused.tag(), refused.text());
            case NO -> no(refused.tag(), refused.text());
            case FAILED_LOGIN -> authFailed(refused.tag(), refused.text());
        };
    }

    private Flux<Action> loggedIn(String tag, Account user) {
        services.meters().counter("hato.imap.logins", "outcome", "success").increment();
        account = user;
        framer.maxLiteralSize(settings.appendLimit());
        return line(tag + " OK [CAPABILITY " + capabilities() + "] Logged in");
    }

    private Flux<Action> authFailed(String tag, String text) {
        authFailures++;
        if (authFailures >= settings.maxAuthFailures()) {
            stopped = true;
            return Flux.just(Action.line(tag + " NO " + text), Action.line("* BYE Too many failed logins"),
                    Action.close());
        }
        return line(tag + " NO " + text);
    }


    // ---------------------------------------------------------------------------------------------- mailboxes

    private Flux<Action> enable(String tag, ImapCommand.Enable enable) {
        List<String> enabled = new ArrayList<>();
        for (String capability : enable.capabilities()) {
            switch (capability) {
                case "CONDSTORE" -> {
                    if (!condStore) {
                        condStore = true;
                        enabled.add(capability);
                    }
                }
                case "UTF8=ACCEPT" -> {
                    // RFC 6855 §3: from now on mailbox names are UTF-8, never modified UTF-7.
                    if (!utf8) {
                        utf8 = true;
                        enabled.add(capability);
                    }
                }
                case "QRESYNC" -> {
                    // RFC 7162 §3.2.3: enabling QRESYNC implies CONDSTORE.
                    if (!qresync) {
                        qresync = true;
                        condStore = true;
                        enabled.add(capability);
                    }
                }
                default -> { } // RFC 5161 §3.1: unknown or unoffered extensions are ignored.
            }
        }
        return Flux.concat(line("* ENABLED" + (enabled.isEmpty() ? "" : " " + String.join(" ", enabled))),
                done(tag, "OK ENABLE completed", true));
    }

    private Flux<Action> list(Account user, ImapCommand.ListMailboxes list) {
        String tag = list.tag();
        Set<String> selection = new HashSet<>(list.selectionOptions());
        for (String option : selection) {
            if (!Set.of("SUBSCRIBED", "REMOTE", "RECURSIVEMATCH", "SPECIAL-USE").contains(option)) {
                return bad(tag, "Unknown LIST selection option " + option);
            }
        }
        // RFC 5258 §3: RECURSIVEMATCH alone is meaningless and an error.
        if (selection.contains("RECURSIVEMATCH") && !selection.contains("SUBSCRIBED")) {
            return bad(tag, "RECURSIVEMATCH needs another selection option");
        }
        boolean returnSubscribed = selection.contains("SUBSCRIBED");
        List<String> statusItems = null;
        for (ImapCommand.ReturnOption option : list.returnOptions()) {
            switch (option.name()) {
                case "SUBSCRIBED" -> returnSubscribed = true;
                case "CHILDREN", "SPECIAL-USE" -> { } // always returned
                case "STATUS" -> {
                    statusItems = option.arguments();
                    if (statusItems.isEmpty() || !STATUS_ITEMS.containsAll(statusItems)) {
                        return bad(tag, "Invalid STATUS return option");
                    }
                }
                default -> {
                    return bad(tag, "Unknown LIST return option " + option.name());
                }
            }
        }
        boolean extended = !list.selectionOptions().isEmpty() || !list.returnOptions().isEmpty()
                || list.patterns().size() > 1;
        // RFC 3501 §6.3.8: an empty pattern asks for the delimiter and the root.
        if (!extended && list.patterns().size() == 1 && list.patterns().get(0).isEmpty()) {
            return Flux.concat(line("* LIST (\\Noselect) \"/\" \"\""), done(tag, "OK LIST completed", true));
        }
        List<MailboxPattern> patterns = MailboxPattern.compile("LIST", list.reference(), list.patterns(), utf8,
                settings.maxListPatternLength(), settings.maxListWildcards());
        boolean subscribedReturn = returnSubscribed;
        List<String> items = statusItems;
        return Mono.zip(services.mailboxes().list(user.id()).collectList(),
                        services.mailboxes().subscriptions(user.id()).collect(java.util.stream.Collectors.toSet()))
                .flatMapMany(both -> {
                    Map<String, MailboxInfo> existing = new HashMap<>();
                    for (MailboxInfo info : both.getT1()) {
                        existing.put(info.name(), info);
                    }
                    Set<String> subscribed = both.getT2();
                    Set<String> withChildren = new HashSet<>();
                    Set<String> candidates = new TreeSet<>(Comparator.comparing((String n) -> !n.equals("INBOX"))
                            .thenComparing(Comparator.naturalOrder()));
                    for (String name : existing.keySet()) {
                        candidates.add(name);
                        for (String parent = MailboxNames.parent(name); !parent.isEmpty();
                                parent = MailboxNames.parent(parent)) {
                            withChildren.add(parent);
                            candidates.add(parent);
                        }
                    }
                    Set<String> subscribedParents = new HashSet<>();
                    for (String name : subscribed) {
                        for (String parent = MailboxNames.parent(name); !parent.isEmpty();
                                parent = MailboxNames.parent(parent)) {
                            subscribedParents.add(parent);
                        }
                    }
                    if (selection.contains("SUBSCRIBED")) {
                        candidates.addAll(subscribed);
                        if (selection.contains("RECURSIVEMATCH")) {
                            candidates.addAll(subscribedParents);
                        }
                    }
                    Flux<Action> out = Flux.empty();
                    for (String name : candidates) {
                        if (patterns.stream().noneMatch(p -> p.matches(name))) {
                            continue;
                        }
                        MailboxInfo info = existing.get(name);
                        boolean isSubscribed = subscribed.contains(name);
                        String childInfo = "";
                        if (selection.contains("SUBSCRIBED") && !isSubscribed) {
                            if (!selection.contains("RECURSIVEMATCH") || !subscribedParents.contains(name)) {
                                continue;
                            }
                            // RFC 5258 §3.5: a parent listed only because a descendant matched.
                            childInfo = " (\"CHILDINFO\" (\"SUBSCRIBED\"))";
                        }
                        if (selection.contains("SPECIAL-USE") && (info == null || info.specialUse() == null)) {
                            continue;
                        }
                        List<String> attributes = new ArrayList<>();
                        if (info == null) {
                            // RFC 3501 §6.3.8: a level that only exists through its inferiors is \Noselect;
                            // RFC 5258 §3: a subscribed name without a mailbox is \NonExistent.
                            attributes.add(withChildren.contains(name) ? "\\Noselect" : "\\NonExistent");
                        }
                        attributes.add(withChildren.contains(name) ? "\\HasChildren" : "\\HasNoChildren");
                        if (info != null && info.specialUse() != null) {
                            attributes.add(info.specialUse());
                        }
                        if (subscribedReturn && isSubscribed) {
                            attributes.add("\\Subscribed");
                        }
                        out = out.concatWith(line("* LIST " + ResponseText.flags(attributes) + " \"/\" "
                                + MailboxNames.toWire(name, utf8) + childInfo));
                        if (items != null && info != null) {
                            // RFC 5819 §2: each STATUS follows the LIST of its mailbox.
                            out = out.concatWith(Flux.defer(() -> statusLine(user, info, items)));
                        }
                    }
                    return out.concatWith(done(tag, "OK LIST completed", true));
                });
    }

    private Flux<Action> lsub(Account user, ImapCommand.Lsub lsub) {
        MailboxPattern pattern = MailboxPattern.compile("LSUB", lsub.reference(), List.of(lsub.pattern()), utf8,
                settings.maxListPatternLength(), settings.maxListWildcards()).get(0);
        return Mono.zip(services.mailboxes().list(user.id()).map(MailboxInfo::name).collectList(),
                        services.mailboxes().subscriptions(user.id()).collectList())
                .flatMapMany(both -> {
                    Set<String> existing = new HashSet<>(both.getT1());
                    TreeSet<String> names = new TreeSet<>(both.getT2());
                    List<String> lines = new ArrayList<>();
                    for (String name : names) {
                        if (pattern.matches(name)) {
                            lines.add("* LSUB (" + (existing.contains(name) ? "" : "\\Noselect") + ") \"/\" "
                                    + MailboxNames.toWire(name, utf8));
                        }
                    }
                    return Flux.fromIterable(lines).map(Action::line)
                            .cast(Action.class)
                            .concatWith(done(lsub.tag(), "OK LSUB completed", true));
                });
    }

    private Flux<Action> status(Account user, ImapCommand.Status status) {
        for (String item : status.items()) {
            if (!STATUS_ITEMS.contains(item)) {
                return bad(status.tag(), "Unknown STATUS item " + item);
            }
        }
        String name = MailboxNames.fromWire(status.mailbox(), utf8);
        return find(user, name)
                .flatMapMany(info -> Flux.concat(statusLine(user, info, status.items()),
                        done(status.tag(), "OK STATUS completed", true)));
    }

    private Flux<Action> statusLine(Account user, MailboxInfo info, List<String> items) {
        return services.mailboxes().status(user.id(), info.id()).map(status -> {
            StringBuilder out = new StringBuilder("* STATUS ").append(MailboxNames.toWire(info.name(), utf8))
                    .append(" (");
            for (String item : items) {
                if (out.charAt(out.length() - 1) != '(') {
                    out.append(' ');
                }
                out.append(item).append(' ').append(statusValue(status, item));
            }
            if (items.contains("HIGHESTMODSEQ")) {
                condStore = true; // RFC 7162 §3.1: STATUS (HIGHESTMODSEQ) is a CONDSTORE-enabling command.
            }
            return (Action) Action.line(out.append(')').toString());
        }).flux();
    }

    private static long statusValue(MailboxStatus status, String item) {
        return switch (item) {
            case "MESSAGES" -> status.messages();
            case "RECENT" -> status.recent();
            case "UIDNEXT" -> status.uidNext();
            case "UIDVALIDITY" -> status.uidValidity();
            case "UNSEEN" -> status.unseen();
            case "HIGHESTMODSEQ" -> status.highestModseq();
            case "SIZE" -> status.size();
            case "DELETED" -> status.deleted();
            default -> throw new IllegalArgumentException(item);
        };
    }

    private Flux<Action> delete(Account user, ImapCommand.Delete delete) {
        String name = MailboxNames.fromWire(delete.mailbox(), utf8);
        SelectedMailbox mailbox = selected;
        if (mailbox != null && mailbox.info().name().equals(name)) {
            return no(delete.tag(), "[INUSE] Cannot delete the selected mailbox; close it first");
        }
        return guarded(delete.tag(), services.mailboxes().delete(user.id(), name)
                .thenMany(done(delete.tag(), "OK DELETE completed", true)));
    }

    /** The mailbox, or a NONEXISTENT error (TRYCREATE for a COPY/APPEND target is decided by the caller). */
    private Mono<MailboxInfo> find(Account user, String name) {
        return services.mailboxes().find(user.id(), name).switchIfEmpty(Mono.error(
                new MailboxException(MailboxException.Reason.NONEXISTENT, "No such mailbox")));
    }

    // ---------------------------------------------------------------------------------------------- selection

    private Flux<Action> select(Account user, ImapCommand.Select select) {
        String tag = select.tag();
        String name = MailboxNames.fromWire(select.mailbox(), utf8);
        ImapCommand.QResync resync = select.qresync();
        if (resync != null && !qresync) {
            return bad(tag, "QRESYNC needs ENABLE QRESYNC first"); // RFC 7162 §3.2.5
        }
        // RFC 7162 §3.2.11: with QRESYNC, leaving a selected mailbox for another is announced with [CLOSED].
        Flux<Action> closed = selected != null && qresync ? line("* OK [CLOSED] Previous mailbox closed")
                : Flux.empty();
        unselect();
        if (select.condStore()) {
            condStore = true;
        }
        boolean readOnly = select.readOnly();
        Flux<Action> work = find(user, name).flatMapMany(info -> {
            // RFC 3501 §2.3.2: the claim after the read, so that every message read is claimed by this session or an
            // earlier one; what the claim takes beyond the read shows \Recent here when it arrives.
            return services.mailboxes().messages(user.id(), info.id()).collectList()
                    .flatMapMany(messages -> recentClaim(user, info.id(), readOnly, messages).flatMapMany(claim -> {
                        SelectedMailbox mailbox = new SelectedMailbox(info, readOnly, messages, claim.orElse(null));
                        selected = mailbox;
                        watch(mailbox);
                        stale.set(false);
                        List<String> keywords = new ArrayList<>(SelectedMailbox.SYSTEM_FLAGS);
                        keywords.addAll(mailbox.keywords());
                        List<String> lines = new ArrayList<>();
                        lines.add("* FLAGS " + ResponseText.flags(keywords));
                        lines.add("* OK [PERMANENTFLAGS " + (readOnly ? "()"
                                : ResponseText.flags(append(keywords, "\\*"))) + "] Flags permitted");
                        lines.add("* " + mailbox.exists() + " EXISTS");
                        lines.add("* " + mailbox.recentCount() + " RECENT");
                        long unseen = mailbox.firstUnseen();
                        if (unseen > 0) {
                            lines.add("* OK [UNSEEN " + unseen + "] First unseen message");
                        }
                        lines.add("* OK [UIDVALIDITY " + info.uidValidity() + "] UIDs valid");
                        long uidNext = Math.max(info.uidNext(), messages.isEmpty() ? 1
                                : messages.get(messages.size() - 1).uid() + 1);
                        lines.add("* OK [UIDNEXT " + uidNext + "] Predicted next UID");
                        // RFC 7162 §3.1.2.1: a CONDSTORE server sends HIGHESTMODSEQ on every SELECT/EXAMINE.
                        lines.add("* OK [HIGHESTMODSEQ " + mailbox.highestModseq() + "] Highest");
                        Flux<Action> out = Flux.fromIterable(lines).map(text -> (Action) Action.line(text));
                        if (resync != null && resync.uidValidity() == info.uidValidity()) {
                            out = out.concatWith(Flux.defer(() -> resynchronize(user, mailbox, resync)));
                        }
                        return out.concatWith(line(tag + " OK [" + (readOnly ? "READ-ONLY" : "READ-WRITE") + "] "
                                + (readOnly ? "EXAMINE" : "SELECT") + " completed"));
                    }));
        });
        return Flux.concat(closed, guarded(tag, work));
    }

    /** The recent claim of a SELECT that read {@code messages} (in UID order); none for EXAMINE or no messages. */
    private Mono<Optional<RecentClaim>> recentClaim(Account user, long mailboxId, boolean readOnly,
                                                    List<MessageMeta> messages) {
        if (readOnly || messages.isEmpty()) {
            return Mono.just(Optional.empty());
        }
        return services.changes().claimFor(user.id(), mailboxId, messages.get(messages.size() - 1).uid())
                .map(Optional::of).defaultIfEmpty(Optional.empty());
    }

    /**
     * RFC 7162 §3.2.5.2: what changed since the client's modseq: {@code VANISHED (EARLIER)} for expunged UIDs it
     * knew (all we keep, so the seq-match data is not needed), then FETCH (UID FLAGS MODSEQ) of changed messages.
     */
    private Flux<Action> resynchronize(Account user, SelectedMailbox mailbox, ImapCommand.QResync resync) {
        long star = Math.max(0, mailbox.info().uidNext() - 1);
        Flux<Action> vanished = services.mailboxes().expungedSince(user.id(), mailbox.id(), resync.modseq())
                .filter(uid -> resync.knownUids() == null || contains(resync.knownUids(), uid, star))
                .collectList()
                .flatMapMany(uids -> uids.isEmpty() ? Flux.<Action>empty()
                        : line("* VANISHED (EARLIER) " + ResponseText.set(uids)));
        Flux<Action> changed = Flux.defer(() -> {
            List<Action> lines = new ArrayList<>();
            for (Long uid : mailbox.uidsInView()) {
                MessageMeta message = mailbox.message(uid);
                if (message != null && message.modseq() > resync.modseq()) {
                    lines.add(Action.line(mailbox.fetchFlags(message, true, true)));
                }
            }
            return Flux.fromIterable(lines);
        });
        return Flux.concat(vanished, changed);
    }

    /** Whether a UID set (as sent, {@code *} standing for {@code star}) names {@code uid}. */
    private static boolean contains(dev.hato.imap.wire.SequenceSet set, long uid, long star) {
        for (dev.hato.imap.wire.SequenceSet.Range range : set.ranges()) {
            long from = range.from() == dev.hato.imap.wire.SequenceSet.STAR ? star : range.from();
            long to = range.to() == dev.hato.imap.wire.SequenceSet.STAR ? star : range.to();
            if (uid >= Math.min(from, to) && uid <= Math.max(from, to)) {
                return true;
            }
        }
        return false;
    }

    private Flux<Action> quota(Account user) {
        return services.mailboxes().quota(user.id()).map(quota -> {
            List<String> resources = new ArrayList<>();
            if (quota.limitOctets() != null) {
                // RFC 9208 §5.1: STORAGE in units of 1024 octets.
                resources.add("STORAGE " + (quota.usedOctets() + 1023) / 1024 + " " + quota.limitOctets() / 1024);
            }
            if (quota.limitMessages() != null) {
                resources.add("MESSAGE " + quota.usedMessages() + " " + quota.limitMessages());
            }
            return (Action) Action.line("* QUOTA \"\" (" + String.join(" ", resources) + ")");
        }).flux();
    }

    /** RFC 4978 §3: DEFLATE from the next octet on, in both directions; pipelined input is not read. */
    private Flux<Action> compress(String tag, ImapCommand.Compress compress) {
        if (!compress.mechanism().equals("DEFLATE")) {
            return bad(tag, "Unknown compression mechanism");
        }
        if (compressed) {
            return no(tag, "[COMPRESSIONACTIVE] Compression is already active");
        }
        compressed = true;
        input.position(input.limit());
        return Flux.just(new Action.Compress(ByteBuffer.wrap((tag + " OK DEFLATE active\r\n")
                .getBytes(StandardCharsets.US_ASCII))));
    }

    private static List<String> append(List<String> list, String value) {
        List<String> out = new ArrayList<>(list);
        out.add(value);
        return out;
    }

    /**
     * Commits to the selected mailbox (and, after a gap in the feed, possibly to any) mark the snapshot stale and
     * wake an IDLE; the node's {@link MailboxChanges} calls this session only for its mailbox.
     */
    private void watch(SelectedMailbox mailbox) {
        stopWatching();
        events = services.changes().watch(mailbox.id(), () -> {
            if (selected == mailbox) {
                stale.set(true);
                if (idleTag != null) {
                    wake.emitNext(Boolean.TRUE, Sinks.EmitFailureHandler.busyLooping(Duration.ofMillis(100)));
                }
            }
        });
        if (stopped) {
            stopWatching(); // closed while the SELECT ran
        }
    }

    private void stopWatching() {
        Disposable watching = events;
        events = null;
        if (watching != null) {
            watching.dispose();
        }
    }

    private void unselect() {
        stopWatching();
        selected = null;
        savedResult = List.of();
    }

    /**
     * Reads what changed in the selected mailbox since the snapshot's modseq and applies it to the snapshot.
     * {@code shared}: the session was woken by an event and may join a read of the node's other sessions
     * ({@link MailboxChanges#sharedChangesSince}); after a command of its own it reads alone, since the event for
     * its own change may not have arrived yet.
     */
    private Mono<Void> refresh(boolean shared) {
        SelectedMailbox mailbox = selected;
        Account user = account;
        if (mailbox == null || user == null) {
            return Mono.empty();
        }
        stale.set(false);
        long since = mailbox.highestModseq();
        MailboxChanges changes = services.changes();
        Mono<MailboxChanges.Changes> read = shared ? changes.sharedChangesSince(user.id(), mailbox.id(), since)
                : changes.changesSince(user.id(), mailbox.id(), since);
        return read.flatMap(found -> {
                    long highestNew = 0;
                    for (MessageMeta message : found.changed()) {
                        if (mailbox.sequence(message.uid()) == 0) {
                            highestNew = Math.max(highestNew, message.uid());
                        }
                    }
                    Mono<Optional<RecentClaim>> claim = highestNew > 0 && !mailbox.readOnly()
                            ? changes.claimFor(user.id(), mailbox.id(), highestNew).map(Optional::of)
                                    .defaultIfEmpty(Optional.empty())
                            : Mono.just(Optional.empty());
                    return claim.doOnNext(recent -> {
                        if (selected == mailbox) {
                            mailbox.apply(found.changed(), found.expunged(), recent.orElse(null));
                        }
                    });
                })
                .then();
    }

    /** The untagged responses the client may be sent now. */
    private Flux<Action> untagged(boolean expungesAllowed) {
        SelectedMailbox mailbox = selected;
        if (mailbox == null) {
            return Flux.empty();
        }
        return Flux.fromIterable(mailbox.flush(expungesAllowed, condStore, qresync)).map(Action::line);
    }

    /**
     * The end of a command: changes announced by other sessions are read when the snapshot is stale (or always with
     * {@code force}) and sent before the tagged response.
     */
    private Flux<Action> done(String tag, String text, boolean expungesAllowed) {
        return done(tag, text, expungesAllowed, false);
    }

    private Flux<Action> done(String tag, String text, boolean expungesAllowed, boolean force) {
        return Flux.defer(() -> {
            Mono<Void> read = selected != null && (force || stale.get()) ? refresh(false) : Mono.empty();
            return read.onErrorResume(failure -> {
                        LOG.warn("IMAP refresh failed: {}", failure.toString());
                        return Mono.empty();
                    })
                    .thenMany(Flux.defer(() -> untagged(expungesAllowed)))
                    .concatWith(Mono.fromSupplier(() -> Action.line(tag + " " + text)));
        });
    }

    // ---------------------------------------------------------------------------------------------- messages

    private Flux<Action> fetch(Account user, SelectedMailbox mailbox, ImapCommand.Fetch fetch) {
        String tag = fetch.tag();
        List<Long> uids = mailbox.resolve(fetch.set(), fetch.uid(), savedResult);
        boolean modseq = condStore || fetch.changedSince() != null
                || fetch.attributes().contains(new FetchAttribute.Simple(FetchAttribute.Item.MODSEQ));
        if (modseq) {
            condStore = true; // RFC 7162 §3.1: FETCH MODSEQ and CHANGEDSINCE enable CONDSTORE.
        }
        List<MessageMeta> messages = new ArrayList<>();
        boolean expungedAsked = false;
        for (Long uid : uids) {
            MessageMeta message = mailbox.message(uid);
            if (message == null) {
                expungedAsked = true;
            } else if (fetch.changedSince() == null || message.modseq() > fetch.changedSince()) {
                messages.add(message);
            }
        }
        boolean setsSeen = !mailbox.readOnly() && services.fetch().setsSeen(fetch.attributes());
        List<Long> unseen = new ArrayList<>();
        if (setsSeen) {
            for (MessageMeta message : messages) {
                if (!message.flags().contains("\\Seen")) {
                    unseen.add(message.uid());
                }
            }
        }
        Mono<Set<Long>> seen = unseen.isEmpty() ? Mono.just(Set.of())
                : services.mailboxes().store(user.id(), mailbox.id(), unseen, Mailboxes.FlagMode.ADD,
                        Set.of("\\Seen"), null).map(update -> {
                            Set<Long> changed = new HashSet<>();
                            for (MessageMeta message : update.changed()) {
                                mailbox.updated(message);
                                mailbox.sawModseq(message.modseq());
                                changed.add(message.uid());
                            }
                            return changed;
                        });
        boolean uid = fetch.uid();
        Long since = fetch.changedSince();
        long star = Math.max(0, mailbox.info().uidNext() - 1);
        // RFC 7162 §3.2.6: UID FETCH ... (CHANGEDSINCE m VANISHED) reports expunges in the set since m first.
        Flux<Action> vanished = !fetch.vanished() || since == null || !qresync ? Flux.empty()
                : services.mailboxes().expungedSince(user.id(), mailbox.id(), since)
                        .filter(gone -> contains(fetch.set(), gone, Math.max(star, gone)))
                        .collectList()
                        .flatMapMany(gone -> gone.isEmpty() ? Flux.<Action>empty()
                                : line("* VANISHED (EARLIER) " + ResponseText.set(gone)));
        String finalText = expungedAsked ? "OK [EXPUNGEISSUED] Some messages were expunged; FETCH completed"
                : "OK FETCH completed";
        // Windows of FETCH_WINDOW messages: one read ahead per window, then its responses one message at a time.
        Function<Set<Long>, Flux<Action>> responses = changed -> Flux.fromIterable(messages).buffer(FETCH_WINDOW).concatMap(window -> services.fetch()
                .prefetch(window, fetch.attributes())
                .flatMapMany(prefetched -> Flux.fromIterable(window).concatMap(original -> {
                    MessageMeta message = mailbox.message(original.uid());
                    if (message == null) {
                        return Flux.<Action>empty();
                    }
                    Set<String> extra = mailbox.isRecent(message.uid()) ? Set.of("\\Recent") : Set.of();
                    FetchResponder.Options options = new FetchResponder.Options(uid || qresync, modseq,
                            changed.contains(message.uid()), extra);
                    return services.fetch().fetch(message, mailbox.sequence(message.uid()), fetch.attributes(),
                            options, prefetched).map(bytes -> (Action) new Action.Write(bytes));
                })));
        Flux<Action> work = seen.flatMapMany(changed -> Flux.concat(vanished, responses.apply(changed),
                done(tag, finalText, uid)));
        // RFC 3516 §4.3: BINARY of a part whose transfer encoding the server cannot decode. The renderer fails before
        // the first octet of that message, so the responses already sent are whole.
        return work.onErrorResume(dev.hato.message.UnknownTransferEncodingException.class,
                failure -> line(tag + " NO [UNKNOWN-CTE] " + failure.getMessage()));
    }

    private Flux<Action> store(Account user, SelectedMailbox mailbox, ImapCommand.Store store) {
        String tag = store.tag();
        if (mailbox.readOnly()) {
            return no(tag, "[READ-ONLY] The mailbox is read-only");
        }
        Set<String> flags = new LinkedHashSet<>();
        for (String flag : store.flags()) {
            String canonical = canonicalFlag(flag);
            if (canonical == null) {
                return bad(tag, "Invalid flag " + flag);
            }
            if (!canonical.equals("\\Recent")) { // RFC 3501 §2.3.2: \Recent cannot be stored
                flags.add(canonical);
            }
        }
        if (store.unchangedSince() != null) {
            condStore = true; // RFC 7162 §3.1: UNCHANGEDSINCE enables CONDSTORE.
        }
        List<Long> uids = new ArrayList<>();
        boolean expungedAsked = false;
        for (Long uid : mailbox.resolve(store.set(), store.uid(), savedResult)) {
            if (mailbox.message(uid) == null) {
                expungedAsked = true;
            } else {
                uids.add(uid);
            }
        }
        if (uids.isEmpty()) {
            return done(tag, expungedAsked ? "NO [EXPUNGEISSUED] The messages were expunged" : "OK STORE completed",
                    store.uid());
        }
        Mailboxes.FlagMode mode = switch (store.mode()) {
            case REPLACE -> Mailboxes.FlagMode.REPLACE;
            case ADD -> Mailboxes.FlagMode.ADD;
            case REMOVE -> Mailboxes.FlagMode.REMOVE;
        };
        boolean uid = store.uid();
        return services.mailboxes().store(user.id(), mailbox.id(), uids, mode, flags, store.unchangedSince())
                .flatMapMany(update -> {
                    for (MessageMeta message : update.changed()) {
                        mailbox.updated(message);
                        mailbox.sawModseq(message.modseq());
                    }
                    List<String> lines = new ArrayList<>();
                    Set<Long> refused = new HashSet<>(update.modified());
                    Set<Long> changed = new HashSet<>();
                    update.changed().forEach(m -> changed.add(m.uid()));
                    for (Long each : uids) {
                        MessageMeta message = mailbox.message(each);
                        if (message == null || refused.contains(each)) {
                            continue;
                        }
                        // RFC 3501 §6.4.6: FLAGS of every message in the set unless .SILENT; RFC 7162 §3.1.3: under
                        // CONDSTORE a changed message's new MODSEQ is reported even with .SILENT (its example d105).
                        if (!store.silent()) {
                            lines.add(mailbox.fetchFlags(message, uid || qresync, condStore));
                        } else if (condStore && changed.contains(each)) {
                            lines.add("* " + mailbox.sequence(each) + " FETCH (" + (uid || qresync ? "UID " + each
                                    + " " : "") + "MODSEQ (" + message.modseq() + "))");
                        }
                    }
                    String text = "OK STORE completed";
                    if (!update.modified().isEmpty()) {
                        List<Long> numbers = new ArrayList<>();
                        for (Long each : new TreeSet<>(update.modified())) {
                            numbers.add(uid ? each : mailbox.sequence(each));
                        }
                        text = "OK [MODIFIED " + ResponseText.set(numbers) + "] Conditional STORE failed for some";
                    }
                    return Flux.fromIterable(lines).map(l -> (Action) Action.line(l))
                            .concatWith(done(tag, text, uid));
                });
    }

    /** A flag in its canonical spelling, or null when it is not a valid flag. */
    private static @Nullable String canonicalFlag(String flag) {
        if (flag.startsWith("\\")) {
            for (String system : SelectedMailbox.SYSTEM_FLAGS) {
                if (system.equalsIgnoreCase(flag)) {
                    return system;
                }
            }
            return flag.equalsIgnoreCase("\\Recent") ? "\\Recent" : null;
        }
        return KEYWORD.matcher(flag).matches() ? flag : null;
    }

    private Flux<Action> copy(Account user, SelectedMailbox mailbox, ImapCommand.Copy copy) {
        String tag = copy.tag();
        String verb = copy.move() ? "MOVE" : "COPY";
        if (copy.move() && mailbox.readOnly()) {
            return no(tag, "[READ-ONLY] The mailbox is read-only");
        }
        String target = MailboxNames.fromWire(copy.mailbox(), utf8);
        List<Long> uids = new ArrayList<>();
        for (Long uid : mailbox.resolve(copy.set(), copy.uid(), savedResult)) {
            if (mailbox.message(uid) != null) {
                uids.add(uid);
            }
        }
        Flux<Action> work = services.mailboxes().find(user.id(), target)
                .switchIfEmpty(Mono.error(new MailboxException(MailboxException.Reason.NONEXISTENT,
                        "[TRYCREATE] No such mailbox")))
                .flatMapMany(info -> {
                    if (uids.isEmpty()) {
                        return done(tag, "OK " + verb + " completed (no messages)", copy.uid() || copy.move());
                    }
                    return services.mailboxes().copy(user.id(), mailbox.id(), uids, info.id(), copy.move())
                            .flatMapMany(result -> {
                                String code = result.sourceUids().isEmpty() ? ""
                                        : "[COPYUID " + result.targetUidValidity() + " "
                                        + ResponseText.orderedSet(result.sourceUids()) + " "
                                        + ResponseText.orderedSet(result.targetUids()) + "] ";
                                if (!copy.move()) {
                                    return done(tag, "OK " + code + "COPY completed", copy.uid());
                                }
                                // RFC 6851 §4.3: COPYUID in an untagged OK, then the expunges, then the tagged OK.
                                return Flux.concat(line("* OK " + code + "Moved"),
                                        done(tag, "OK MOVE completed", true, true));
                            });
                });
        return guarded(tag, work);
    }

    private Flux<Action> expunge(Account user, SelectedMailbox mailbox, String tag, @Nullable List<Long> only) {
        if (mailbox.readOnly()) {
            return no(tag, "[READ-ONLY] The mailbox is read-only");
        }
        List<Long> deleted = deletedUids(mailbox, only);
        Mono<Void> expunge = deleted.isEmpty() ? Mono.empty()
                : services.mailboxes().expunge(user.id(), mailbox.id(), deleted);
        return expunge.thenMany(done(tag, "OK EXPUNGE completed", true, true));
    }

    private static List<Long> deletedUids(SelectedMailbox mailbox, @Nullable List<Long> only) {
        List<Long> deleted = new ArrayList<>();
        for (Long uid : only == null ? mailbox.uidsInView() : only) {
            MessageMeta message = mailbox.message(uid);
            if (message != null && message.flags().contains("\\Deleted")) {
                deleted.add(uid);
            }
        }
        return deleted;
    }

    /** RFC 3501 §6.4.2: CLOSE expunges silently unless the mailbox is read-only. */
    private Flux<Action> close(Account user, SelectedMailbox mailbox, String tag) {
        List<Long> deleted = mailbox.readOnly() ? List.of() : deletedUids(mailbox, null);
        unselect();
        Mono<Void> expunge = deleted.isEmpty() ? Mono.empty()
                : services.mailboxes().expunge(user.id(), mailbox.id(), deleted);
        return expunge.thenMany(line(tag + " OK CLOSE completed"));
    }

    private Flux<Action> append(ImapCommand.Append append, MessageSpool spool) {
        String tag = append.tag();
        Account user = account;
        if (user == null) {
            spool.discard();
            return bad(tag, "Log in first");
        }
        String name;
        Set<String> flags = new LinkedHashSet<>();
        try {
            name = MailboxNames.fromWire(append.mailbox(), utf8);
            for (String flag : append.flags()) {
                String canonical = canonicalFlag(flag);
                if (canonical == null) {
                    throw new IllegalArgumentException("Invalid flag " + flag);
                }
                if (!canonical.equals("\\Recent")) {
                    flags.add(canonical);
                }
            }
        } catch (IllegalArgumentException e) {
            spool.discard();
            return bad(tag, String.valueOf(e.getMessage()));
        }
        MessageLimitCheck shape = appendShape;
        appendShape = null;
        MessageLimitCheck.Breach breach = shape == null ? null : shape.finish();
        if (breach != null) {
            // RFC 5530 §3 LIMIT: the message runs into an implementation limit (of what FETCH can serve).
            spool.discard();
            return no(tag, "[LIMIT] Message refused: " + breach.text());
        }
        Instant internalDate = append.internalDate() == null ? services.clock().instant()
                : append.internalDate().toInstant();
        SelectedMailbox mailbox = selected;
        Mono<Mailboxes.AppendResult> stored = spool.finish().flatMap(content -> services.mailboxes()
                .find(user.id(), name)
                .switchIfEmpty(Mono.error(new MailboxException(MailboxException.Reason.NONEXISTENT,
                        "[TRYCREATE] No such mailbox")))
                .flatMap(info -> services.indexer().apply(content)
                        .flatMap(facts -> services.mailboxes().append(user.id(), info.id(), content, facts, flags,
                                internalDate))));
        Flux<Action> work = stored
                .doFinally(signal -> spool.discard())
                .flatMapMany(result -> {
                    boolean here = mailbox != null && selected == mailbox && mailbox.info().name().equals(name);
                    // RFC 4315 §3: APPENDUID uidvalidity uid.
                    return done(tag, "OK [APPENDUID " + result.uidValidity() + " " + result.uid()
                            + "] APPEND completed", true, here);
                });
        return guarded(tag, work);
    }

    // ---------------------------------------------------------------------------------------------- SEARCH

    private SearchContext searchContext(Account user, SelectedMailbox mailbox) {
        return new SearchContext(user.id(), mailbox.id(), mailbox.messagesInView(), mailbox.recentUids(), savedResult,
                services.clock().getZone(), services.clock().instant());
    }

    /** RFC 3501 §6.4.4 with RFC 4731 ESEARCH and RFC 5182 SAVE; no EXPUNGE during a (non-UID) SEARCH. */
    private Flux<Action> search(Account user, SelectedMailbox mailbox, ImapCommand.Search search) {
        String tag = search.tag();
        if (!SearchResponses.knownReturnOptions(search.returnOptions())) {
            return bad(tag, "Unknown SEARCH return option");
        }
        boolean save = search.returnOptions().contains("SAVE");
        Flux<Action> work = services.search().search(searchContext(user, mailbox), search.key(), search.charset())
                .flatMapMany(result -> {
                    if (result.reportsModSeq()) {
                        condStore = true; // RFC 7162 §3.1: SEARCH MODSEQ enables CONDSTORE.
                    }
                    SearchResponses.SearchReply reply = SearchResponses.search(search, result);
                    if (reply.saved() != null) {
                        savedResult = reply.saved();
                    }
                    return Flux.fromIterable(reply.untagged()).map(text -> (Action) Action.line(text))
                            .concatWith(done(tag, "OK SEARCH completed", search.uid()));
                });
        return searchFailures(tag, save, work);
    }

    /** RFC 5256 SORT and UID SORT. */
    private Flux<Action> sort(Account user, SelectedMailbox mailbox, ImapCommand.Sort sort) {
        Flux<Action> work = services.search()
                .sort(searchContext(user, mailbox), sort.criteria(), sort.key(), sort.charset())
                .flatMapMany(result -> Flux.concat(line(SearchResponses.sort(result, sort.uid())),
                        done(sort.tag(), "OK SORT completed", sort.uid())));
        return searchFailures(sort.tag(), false, work);
    }

    /** RFC 5256 THREAD and UID THREAD. */
    private Flux<Action> thread(Account user, SelectedMailbox mailbox, ImapCommand.Thread thread) {
        Flux<Action> work = services.search()
                .thread(searchContext(user, mailbox), thread.algorithm(), thread.key(), thread.charset())
                .flatMapMany(threads -> Flux.concat(line(SearchResponses.thread(threads, thread.uid())),
                        done(thread.tag(), "OK THREAD completed", thread.uid())));
        return searchFailures(thread.tag(), false, work);
    }

    private Flux<Action> searchFailures(String tag, boolean save, Flux<Action> work) {
        return guarded(tag, work.onErrorResume(BadCharsetException.class, failure -> {
            if (save) {
                savedResult = List.of(); // RFC 5182 §2.1: a failed SAVE empties the saved result.
            }
            return line(tag + " NO [" + BadCharsetException.RESPONSE_CODE + "] " + failure.getMessage());
        }));
    }

    // ---------------------------------------------------------------------------------------------- IDLE

    private Flux<Action> idleStart(String tag) {
        SelectedMailbox mailbox = selected;
        Flux<Action> pending = mailbox == null ? Flux.empty()
                : refresh(false).onErrorResume(failure -> Mono.empty()).thenMany(Flux.defer(() -> untagged(true)));
        // RFC 2177 §3: the continuation first, then whatever is pending, then updates as they happen. pushes start
        // only after the first refresh, so two never touch the snapshot at once; what arrived meanwhile is pushed.
        Mono<Action> start = Mono.fromRunnable(() -> {
            idleTag = tag;
            if (stale.get()) {
                wake.emitNext(Boolean.TRUE, Sinks.EmitFailureHandler.busyLooping(Duration.ofMillis(100)));
            }
        });
        return Flux.concat(line("+ idling"), pending, start);
    }

    private Flux<Action> idleEnd(String tag, String line) {
        idleTag = null;
        Mono<Void> running = idlePush;
        if (!line.equalsIgnoreCase("DONE")) {
            return running.thenMany(bad(tag, "Expected DONE to end IDLE"));
        }
        return running.thenMany(done(tag, "OK IDLE terminated", true, selected != null));
    }

    // ---------------------------------------------------------------------------------------------- replies

    /** Runs a command's work, turning store refusals into tagged NO with RFC 5530 codes. */
    private Flux<Action> guarded(String tag, Flux<Action> work) {
        return work.onErrorResume(failure -> {
            if (failure instanceof MailboxException refused) {
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
            if (failure instanceof IllegalArgumentException invalid) {
                return bad(tag, String.valueOf(invalid.getMessage()));
            }
            LOG.warn("IMAP command failed: {}", failure.toString(), failure);
            return line(tag + " NO [UNAVAILABLE] Temporary failure, try again later");
        });
    }

    private Flux<Action> bad(String tag, String text) {
        return refusal(tag + " BAD " + text);
    }

    private Flux<Action> no(String tag, String text) {
        return refusal(tag + " NO " + text);
    }

    /** Refusals before login count: a client that keeps sending nonsense is told BYE (STYLE §2 limits). */
    private Flux<Action> refusal(String text) {
        if (account == null) {
            badCommands++;
            if (badCommands >= settings.maxBadCommandsBeforeLogin()) {
                stopped = true;
                return Flux.just(Action.line(text), Action.line("* BYE Too many invalid commands"), Action.close());
            }
        }
        return line(text);
    }

    private static Flux<Action> tagged(String tag, String text) {
        return line(tag + " " + text);
    }

    private static Flux<Action> line(String text) {
        return Flux.just(Action.line(text));
    }
}
