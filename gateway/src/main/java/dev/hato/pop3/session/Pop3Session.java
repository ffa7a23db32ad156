package dev.hato.pop3.session;

import dev.hato.pop3.command.Pop3Command;
import dev.hato.pop3.command.Pop3CommandParser;
import dev.hato.pop3.wire.Pop3ContentEncoder;
import dev.hato.pop3.wire.Pop3HeaderDowngrade;
import dev.hato.protocol.Action;
import dev.hato.protocol.ConnectionInfo;
import dev.hato.protocol.LoginRoutes;
import dev.hato.protocol.Conversation;
import dev.hato.protocol.ProtocolSession;
import dev.hato.protocol.wire.Decoded;
import dev.hato.protocol.wire.LineFramer;
import dev.hato.store.directory.Account;
import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.MessageMeta;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One POP3 connection. After login the INBOX is leased to this session (a second session gets {@code [IN-USE]},
 * also from another gateway node) and its messages are numbered once; DELE only marks, and the marked messages are
 * removed only by QUIT in the TRANSACTION state (RFC 1939 §6). A dropped or timed-out connection removes nothing.
 * A login that finds the lease held by a session of this node that is going (its connection dropped) waits for the
 * release instead ({@link MaildropHandover}). The session's state is an explicit {@link Pop3State}.
 */
public final class Pop3Session implements ProtocolSession {

    private static final Logger LOG = LoggerFactory.getLogger(Pop3Session.class);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final Duration LEASE_RENEWAL = Duration.ofMinutes(1);

    private final Pop3Settings settings;
    private final ConnectionInfo connection;
    private final Pop3Services services;
    private final LineFramer lines;
    private final Pop3CommandParser parser = new Pop3CommandParser();
    private final String leaseOwner = "pop3:" + UUID.randomUUID();
    private final Pop3AuthExchange sasl;
    /** This session's entry in the node's {@link MaildropHandover} once it took the lease; never cleared. */
    private volatile MaildropHandover.@Nullable Holder holder;

    private ByteBuffer input = EMPTY;
    private final AtomicReference<Pop3State> state = new AtomicReference<>(new Pop3State.Authorization(null));
    private boolean tls;
    /** RFC 6856 UTF-8 mode: message headers are sent as stored; without it, UTF-8 header fields are downgraded. */
    private boolean utf8;
    private int errors;
    private int authFailures;

    public Pop3Session(Pop3Settings settings, ConnectionInfo connection, Pop3Services services) {
        this.settings = settings;
        this.connection = connection;
        this.services = services;
        this.lines = new LineFramer(settings.maxLineLength());
        this.tls = connection.tls();
        this.sasl = new Pop3AuthExchange(services.sasl(), connection.remoteIp());
    }

    @Override
    public Flux<Action> open() {
        return ok("Hato POP3 server ready");
    }

    @Override
    public Flux<Action> receive(ByteBuffer bytes) {
        input = bytes;
        return Conversation.steps(this::step);
    }

    @Override
    public boolean authenticated() {
        return state.get().maildrop() != null;
    }

    @Override
    public Duration idleTimeout() {
        return settings.idleTimeout();
    }

    @Override
    public Flux<Action> idle() {
        // RFC 1939 §3: an autologout timer ends the session WITHOUT entering the UPDATE state.
        end();
        return Flux.concat(releaseLease().thenMany(Flux.<Action>empty()),
                Flux.<Action>just(Action.line("-ERR Autologout; idle for too long"), Action.close()));
    }

    @Override
    public Flux<Action> shutdown() {
        // Like a dropped connection: the UPDATE state is not entered, so nothing marked for deletion is deleted.
        end();
        return releaseLease().onErrorResume(error -> Mono.empty()).thenMany(Flux.<Action>just(
                Action.line("-ERR [SYS/TEMP] Server shutting down; nothing was deleted"), Action.close()));
    }

    @Override
    public void closed() {
        end();
        sasl.abandon();
        releaseLease().subscribe(null, error -> LOG.debug("lease release failed: {}", error.toString()));
    }

    private @Nullable Flux<Action> step() {
        if (stopped()) {
            return null;
        }
        Decoded decoded = lines.next(input);
        if (decoded instanceof Decoded.NeedMore) {
            return null;
        }
        if (decoded instanceof Decoded.Failure) {
            sasl.abandon(); // a refused line ends an AUTH exchange too
            return error("-ERR Line too long");
        }
        Decoded.Line line = (Decoded.Line) decoded;
        if (sasl.active()) {
            return sasl.respond(line.text()).flatMapMany(this::authReply);
        }
        Pop3Command command = parser.parse(line.bytes());
        // The record's name (User, Retr, Unknown...): a closed set, whatever the client sends.
        services.meters().counter("hato.pop3.commands", "command", command.getClass().getSimpleName()).increment();
        return state.get() instanceof Pop3State.Transaction ? transaction(command) : authorization(command);
    }

    private Flux<Action> authorization(Pop3Command command) {
        if (command instanceof Pop3Command.Capa) {
            return capabilities();
        } else if (command instanceof Pop3Command.Stls) {
            return startTls();
        } else if (command instanceof Pop3Command.Utf8) {
            // RFC 6856 §2: valid in the AUTHORIZATION state only (in TRANSACTION it falls to the refusal below).
            utf8 = true;
            return ok("UTF8 enabled");
        } else if (command instanceof Pop3Command.User user) {
            if (!tls) {
                return error("-ERR [AUTH] Plain-text login is not allowed without TLS; use STLS first");
            }
            enter(new Pop3State.Authorization(user.name()));
            return ok("Send your password");
        } else if (command instanceof Pop3Command.Pass pass) {
            String name = state.get() instanceof Pop3State.Authorization authorization ? authorization.user() : null;
            enter(new Pop3State.Authorization(null));
            if (!tls) {
                return error("-ERR [AUTH] Plain-text login is not allowed without TLS; use STLS first");
            }
            if (name == null) {
                return error("-ERR USER first");
            }
            return sasl.password(name, pass.password()).flatMapMany(this::authReply);
        } else if (command instanceof Pop3Command.Auth auth) {
            return auth(auth);
        } else if (command instanceof Pop3Command.Quit) {
            end(); // RFC 1939 §6: QUIT in AUTHORIZATION does not enter UPDATE
            return Flux.<Action>just(Action.line("+OK Hato POP3 server signing off"), Action.close());
        } else if (command instanceof Pop3Command.Noop) {
            return error("-ERR Not logged in");
        } else if (command instanceof Pop3Command.Invalid invalid) {
            return error("-ERR " + invalid.text());
        } else if (command instanceof Pop3Command.Unknown) {
            return error("-ERR Unknown command");
        }
        return error("-ERR Not logged in");
    }

    private Flux<Action> transaction(Pop3Command command) {
        Maildrop drop = state.get() instanceof Pop3State.Transaction transaction ? transaction.maildrop() : null;
        if (drop == null) {
            return error("-ERR Not logged in");
        }
        Mono<Void> renewal = renewLeaseIfDue(drop);
        Flux<Action> reply;
        if (command instanceof Pop3Command.Stat) {
            reply = ok(drop.count() + " " + drop.octets());
        } else if (command instanceof Pop3Command.List list) {
            reply = list(drop, list.message(), false);
        } else if (command instanceof Pop3Command.Uidl uidl) {
            reply = list(drop, uidl.message(), true);
        } else if (command instanceof Pop3Command.Retr retr) {
            reply = send(drop, retr.message(), Pop3ContentEncoder.retr(), "octets follow");
        } else if (command instanceof Pop3Command.Top top) {
            reply = send(drop, top.message(), Pop3ContentEncoder.top(top.lines()), "top of message follows");
        } else if (command instanceof Pop3Command.Dele dele) {
            reply = dele(drop, dele.message());
        } else if (command instanceof Pop3Command.Rset) {
            java.util.Arrays.fill(drop.deleted, false);
            reply = ok("Maildrop has " + drop.count() + " messages (" + drop.octets() + " octets)");
        } else if (command instanceof Pop3Command.Noop) {
            reply = ok("");
        } else if (command instanceof Pop3Command.Capa) {
            reply = capabilities();
        } else if (command instanceof Pop3Command.Quit) {
            return update(drop);
        } else if (command instanceof Pop3Command.Invalid invalid) {
            return error("-ERR " + invalid.text());
        } else if (command instanceof Pop3Command.Unknown) {
            return error("-ERR Unknown command");
        } else {
            return error("-ERR Command not valid in the TRANSACTION state");
        }
        return renewal.thenMany(reply).onErrorResume(LeaseLost.class, lost -> {
            state.set(new Pop3State.Ended(null)); // never UPDATE, nor release, without the lock
            letGo();
            return Flux.just(Action.line("-ERR [IN-USE] Maildrop lock lost to another session; nothing deleted"),
                    Action.close());
        });
    }

    private Flux<Action> capabilities() {
        List<String> capabilities = new ArrayList<>();
        capabilities.add("TOP");
        capabilities.add("UIDL");
        capabilities.add("RESP-CODES");
        capabilities.add("AUTH-RESP-CODE");
        capabilities.add("PIPELINING");
        // RFC 6856 §2, announced in both states; without the USER argument: USER and PASS take no UTF-8 promise.
        capabilities.add("UTF8");
        if (state.get().maildrop() == null) {
            if (tls) {
                capabilities.add("USER");
                capabilities.add("SASL " + String.join(" ", sasl.mechanisms()));
            } else if (settings.startTlsOffered()) {
                capabilities.add("STLS");
            }
        }
        capabilities.add("IMPLEMENTATION Hato");
        return multiline("Capability list follows", capabilities);
    }

    private Flux<Action> startTls() {
        if (tls || !settings.startTlsOffered()) {
            return error(tls ? "-ERR TLS already active" : "-ERR STLS not available");
        }
        if (utf8) {
            // RFC 6856 §2.1: clients must not send STLS after UTF8, and a server may refuse it; refusing keeps client
            // and server agreed that UTF-8 mode is on (RFC 2595 §4 does not reset it; no response code for this).
            return error("-ERR STLS is not allowed after UTF8");
        }
        tls = true;
        enter(new Pop3State.Authorization(null));
        lines.reset();
        input.position(input.limit());
        return Flux.<Action>just(new Action.StartTls(ByteBuffer.wrap("+OK Begin TLS negotiation\r\n"
                .getBytes(StandardCharsets.US_ASCII))));
    }

    private Flux<Action> auth(Pop3Command.Auth auth) {
        if (!tls) {
            return error("-ERR [AUTH] Authentication is not allowed without TLS; use STLS first");
        }
        String mechanism = auth.mechanism();
        if (mechanism == null) {
            return multiline("Supported mechanisms follow", sasl.mechanisms());
        }
        return sasl.start(mechanism, auth.initialResponse()).flatMapMany(this::authReply);
    }

    /** RFC 5034 §4 and §6: a challenge, a login, or a refusal counted against the session's limits. */
    private Flux<Action> authReply(Pop3AuthExchange.Reply reply) {
        if (reply instanceof Pop3AuthExchange.Continue next) {
            return reply(next.line());
        }
        if (reply instanceof Pop3AuthExchange.LoggedIn loggedIn) {
            login("success");
            return proxyOrOpen(loggedIn.account(), loggedIn.password());
        }
        Pop3AuthExchange.Refused refused = (Pop3AuthExchange.Refused) reply;
        login(switch (refused.count()) {
            case ERROR -> "error";
            case AUTH_FAILURE -> "rejected";
            case NONE -> "unavailable";
        });
        return switch (refused.count()) {
            case ERROR -> error(refused.line());
            case AUTH_FAILURE -> authFailed(refused.line());
            case NONE -> reply(refused.line());
        };
    }

    /** {@code hato.pop3.logins} by outcome: success, rejected, unavailable (a temporary failure) or error. */
    private void login(String outcome) {
        services.meters().counter("hato.pop3.logins", "outcome", outcome).increment();
    }

    /**
     * A person still served by an old system (issue 17) is logged in there and the connection handed over; anyone
     * else gets their maildrop here.
     */
    private Flux<Action> proxyOrOpen(Account account, @Nullable String password) {
        return services.logins().login(LoginRoutes.Service.POP3, account.id(), account.address(), password)
                .flatMapMany(proxied -> {
                    if (proxied instanceof LoginRoutes.Connected connected) {
                        end();
                        // What the client pipelined after its command (RFC 2449 PIPELINING) is the old server's.
                        ByteBuffer unread = ByteBuffer.allocate(input.remaining());
                        unread.put(input).flip();
                        // Cancelled before the edge took it (the client went away): the old server's connection
                        // is closed.
                        return Flux.<Action>just(new Action.Splice(ByteBuffer.wrap(
                                "+OK Logged in\r\n".getBytes(StandardCharsets.US_ASCII)), connected.backend(),
                                unread)).doOnCancel(connected.backend()::close);
                    }
                    LOG.warn("POP3 login of {} could not be passed on to the old system: {}", account.address(),
                            ((LoginRoutes.Failed) proxied).reason());
                    return reply("-ERR [SYS/TEMP] Your mailbox is on the old mail system, which cannot be reached"
                            + " now; try again later");
                })
                .switchIfEmpty(Flux.defer(() -> openMaildrop(account)));
    }

    private Flux<Action> openMaildrop(Account account) {
        return services.mailboxes().find(account.id(), "INBOX")
                .flatMapMany(inbox -> lease(account, inbox)
                        .flatMapMany(leased -> {
                            if (!leased) {
                                return reply("-ERR [IN-USE] Mailbox is in use by another POP3 session");
                            }
                            MaildropHandover.Holder held = services.handover().held(account.id(), inbox.id());
                            holder = held;
                            if (stopped()) {
                                held.going(); // the connection went while the lease was being taken
                            }
                            // From here the lease is ours: whatever happens before the maildrop is open (an error,
                            // the client hanging up) must give it back, or the user is locked out for its duration.
                            return services.mailboxes().messages(account.id(), inbox.id()).collectList()
                                    .zipWith(services.uidls().uidls(account.id(), inbox.id()))
                                    .flatMapMany(both -> {
                                        Maildrop drop = new Maildrop(account, inbox, both.getT1(), both.getT2());
                                        if (!enter(new Pop3State.Transaction(drop))) {
                                            // The session ended while the maildrop was being opened.
                                            return releaseInbox(account, inbox).thenMany(Flux.<Action>empty());
                                        }
                                        return ok("Logged in; maildrop has " + drop.count() + " messages ("
                                                + drop.octets() + " octets)");
                                    })
                                    .onErrorResume(failure -> releaseInbox(account, inbox).onErrorResume(e -> Mono.empty())
                                            .then(Mono.error(failure)))
                                    .doOnCancel(() -> releaseInbox(account, inbox).subscribe(null, e -> { }));
                        }))
                .switchIfEmpty(reply("-ERR [SYS/TEMP] Mailbox not found"))
                .onErrorResume(failure -> {
                    LOG.warn("opening maildrop failed: {}", failure.toString());
                    return reply("-ERR [SYS/TEMP] Mailbox temporarily unavailable, try again later");
                });
    }

    /**
     * RFC 1939 §8: the exclusive lock. Refused, it is tried once more when this node's holder was going and has let
     * go (or none is known here any more); a live holder, here or on another node, keeps it.
     */
    private Mono<Boolean> lease(Account account, MailboxInfo inbox) {
        Mono<Boolean> take = Mono.defer(() -> services.mailboxes()
                .lease(account.id(), inbox.id(), leaseOwner, settings.leaseDuration()));
        return take.flatMap(leased -> leased ? Mono.just(true)
                : services.handover().released(account.id(), inbox.id())
                        .flatMap(again -> again ? take : Mono.just(false)));
    }

    private Flux<Action> list(Maildrop drop, @Nullable Integer number, boolean uidl) {
        if (number != null) {
            MessageMeta message = drop.get(number);
            if (message == null) {
                return error("-ERR No such message");
            }
            return ok(number + " " + (uidl ? uniqueId(drop, message) : Long.toString(message.size())));
        }
        List<String> listing = new ArrayList<>();
        for (int i = 1; i <= drop.messages.size(); i++) {
            MessageMeta message = drop.get(i);
            if (message != null) {
                listing.add(i + " " + (uidl ? uniqueId(drop, message) : Long.toString(message.size())));
            }
        }
        String header = uidl ? "Unique-ID listing follows"
                : drop.count() + " messages (" + drop.octets() + " octets)";
        return multiline(header, listing);
    }

    private Flux<Action> send(Maildrop drop, int number, Pop3ContentEncoder encoder, String text) {
        MessageMeta message = drop.get(number);
        if (message == null) {
            return error("-ERR No such message");
        }
        Flux<ByteBuffer> content = services.blobs().content(message.blobId());
        if (!utf8) {
            // RFC 6856: a client that did not send UTF8 gets UTF-8 header fields downgraded to ASCII, in every header
            // section the stored structure knows of (only the message's own without one, or if it cannot be read)
            Flux<ByteBuffer> stored = content;
            content = services.blobs().structure(message.blobId())
                    .map(structure -> Pop3HeaderDowngrade.of(services.parts().apply(structure)))
                    .onErrorResume(failure -> {
                        LOG.warn("reading the structure of blob {} failed: {}", message.blobId(), failure.toString());
                        return Mono.empty();
                    })
                    .defaultIfEmpty(new Pop3HeaderDowngrade())
                    .flatMapMany(downgrade -> stored.map(downgrade::accept)
                            .concatWith(Mono.fromSupplier(downgrade::finish)));
        }
        Flux<Action> body = content
                .takeUntil(chunk -> encoder.complete())
                .map(chunk -> (Action) new Action.Write(encoder.encode(chunk)))
                .concatWith(Mono.fromSupplier(() -> new Action.Write(encoder.finish())));
        return Flux.concat(Flux.<Action>just(Action.line("+OK " + message.size() + " " + text)), body)
                .onErrorResume(failure -> {
                    // The +OK is already on the wire: the client cannot be told in-band; close so it retries.
                    LOG.warn("reading message content failed: {}", failure.toString());
                    end();
                    return Flux.<Action>just(Action.close());
                });
    }

    private Flux<Action> dele(Maildrop drop, int number) {
        MessageMeta message = drop.get(number);
        if (message == null) {
            return error("-ERR No such message");
        }
        drop.deleted[number - 1] = true;
        return ok("Message " + number + " deleted");
    }

    private Flux<Action> update(Maildrop drop) {
        enter(new Pop3State.Update(drop));
        going();
        List<Long> uids = new ArrayList<>();
        for (int i = 0; i < drop.messages.size(); i++) {
            if (drop.deleted[i]) {
                uids.add(drop.messages.get(i).uid());
            }
        }
        Mono<Void> expunge = uids.isEmpty() ? Mono.empty()
                : services.mailboxes().expunge(drop.account.id(), drop.inbox.id(), uids);
        return expunge
                .then(releaseLease())
                .thenMany(Flux.<Action>just(Action.line("+OK Hato POP3 server signing off (" + uids.size()
                        + " messages deleted)"), Action.close()))
                .onErrorResume(failure -> {
                    LOG.warn("POP3 UPDATE failed: {}", failure.toString());
                    return releaseLease().onErrorResume(e -> Mono.empty())
                            .thenMany(Flux.<Action>just(Action.line("-ERR [SYS/TEMP] Some deleted messages not removed"),
                                    Action.close()));
                });
    }

    /** Errors with {@link LeaseLost} when another session took the maildrop over after our lease expired. */
    private Mono<Void> renewLeaseIfDue(Maildrop drop) {
        Instant now = Instant.now();
        if (Duration.between(drop.leaseRenewed, now).compareTo(LEASE_RENEWAL) < 0) {
            return Mono.empty();
        }
        drop.leaseRenewed = now;
        return services.mailboxes().lease(drop.account.id(), drop.inbox.id(), leaseOwner, settings.leaseDuration())
                .onErrorReturn(true) // a store hiccup is not proof that someone else holds the maildrop
                .flatMap(held -> held ? Mono.<Void>empty() : Mono.error(new LeaseLost()));
    }

    private boolean stopped() {
        Pop3State now = state.get();
        return now instanceof Pop3State.Update || now instanceof Pop3State.Ended;
    }

    /** Moves to {@code next}, unless the session is over (no transition leaves UPDATE or an end). */
    private boolean enter(Pop3State next) {
        Pop3State before = state.getAndUpdate(current -> current instanceof Pop3State.Update
                || current instanceof Pop3State.Ended ? current : next);
        return !(before instanceof Pop3State.Update || before instanceof Pop3State.Ended);
    }

    /** The session ends without UPDATE (RFC 1939 §3), keeping the maildrop whose lease is still to be given back. */
    private void end() {
        state.getAndUpdate(current -> current instanceof Pop3State.Update || current instanceof Pop3State.Ended
                ? current : new Pop3State.Ended(current.maildrop()));
        going();
    }

    /** The session is ending: a login waiting for this maildrop may wait for the release now under way. */
    private void going() {
        MaildropHandover.Holder held = holder;
        if (held != null) {
            held.going();
        }
    }

    /** The lease is given back, lost, or could not be given back: waiting logins try it again. */
    private void letGo() {
        MaildropHandover.Holder held = holder;
        if (held != null) {
            held.released();
        }
    }

    /** RFC 1939 §8: the exclusive lock on the maildrop is gone; this session must not enter the UPDATE state. */
    private static final class LeaseLost extends RuntimeException {
        LeaseLost() {
            super("POP3 maildrop lease lost", null, false, false);
        }
    }

    private Mono<Void> release(Maildrop drop) {
        if (drop.released) {
            return Mono.empty();
        }
        drop.released = true;
        return releaseInbox(drop.account, drop.inbox);
    }

    private Mono<Void> releaseInbox(Account account, MailboxInfo inbox) {
        return services.mailboxes().release(account.id(), inbox.id(), leaseOwner).doFinally(signal -> letGo());
    }

    private Mono<Void> releaseLease() {
        Maildrop drop = state.get().maildrop();
        return drop == null ? Mono.empty() : release(drop);
    }

    private Flux<Action> authFailed(String text) {
        authFailures++;
        if (authFailures >= settings.maxAuthFailures()) {
            end();
            return Flux.<Action>just(Action.line(text), Action.close());
        }
        return reply(text);
    }

    private Flux<Action> error(String text) {
        errors++;
        if (errors >= settings.maxErrors()) {
            end();
            return Flux.<Action>just(Action.line(text), Action.line("-ERR Too many errors, closing connection"),
                    Action.close());
        }
        return reply(text);
    }

    /**
     * RFC 1939 §7: a unique-id is 1 to 70 characters in 0x21..0x7E and never reused for this maildrop: the one the
     * old server gave a message copied from it (issue 17: POP3 clients that leave mail there download nothing
     * again), else UIDVALIDITY.UID.
     */
    private static String uniqueId(Maildrop drop, MessageMeta message) {
        String kept = drop.keptUidls.get(message.uid());
        return kept != null ? kept : drop.inbox.uidValidity() + "." + message.uid();
    }

    private static Flux<Action> ok(String text) {
        return reply(text.isEmpty() ? "+OK" : "+OK " + text);
    }

    private static Flux<Action> reply(String text) {
        return Flux.<Action>just(Action.line(text));
    }

    private static Flux<Action> multiline(String first, List<String> lines) {
        StringBuilder reply = new StringBuilder("+OK ").append(first).append("\r\n");
        for (String line : lines) {
            // RFC 1939 §3: byte-stuff lines of a multi-line response that start with the termination octet.
            reply.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
        }
        reply.append(".\r\n");
        return Flux.<Action>just(new Action.Write(ByteBuffer.wrap(reply.toString().getBytes(StandardCharsets.UTF_8))));
    }
}
