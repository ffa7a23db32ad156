package dev.hato.managesieve.session;

import dev.hato.auth.sasl.SaslConversation;
import dev.hato.imap.wire.ImapDecoded;
import dev.hato.imap.wire.ImapFramer;
import dev.hato.managesieve.wire.ManageSieveCommand;
import dev.hato.managesieve.wire.ManageSieveParser;
import dev.hato.managesieve.wire.ManageSieveResponse;
import dev.hato.protocol.Action;
import dev.hato.protocol.ConnectionInfo;
import dev.hato.protocol.Conversation;
import dev.hato.protocol.ProtocolSession;
import dev.hato.sieve.SieveCompiler;
import dev.hato.sieve.SieveInterpreter;
import dev.hato.store.directory.Account;
import dev.hato.store.sieve.SieveScripts;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One ManageSieve connection (RFC 5804). Commands are framed by IMAP's framer, told that ManageSieve clients send a
 * literal's octets without waiting, whether it is {@code {n+}} or {@code {n}}; literals are held in memory, bounded
 * per literal and per command (the store's script limit after login, a SASL response's size before). Before login
 * only CAPABILITY, STARTTLS, AUTHENTICATE (over TLS only, as every Hato protocol), NOOP and LOGOUT are valid (RFC 5804
 * §2); after it the script commands of {@link ScriptCommands}. After STARTTLS the capabilities go out again as soon
 * as TLS is up (RFC 5804 §2.2), before any command sent under TLS is answered.
 */
public final class ManageSieveSession implements ProtocolSession {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** Room for the names of a PUTSCRIPT or RENAMESCRIPT sent as literals beside the script itself. */
    private static final int NAMES_ALLOWANCE = 4096;

    private final ManageSieveSettings settings;
    private final ManageSieveServices services;
    private final ImapFramer framer;
    private final ManageSieveParser parser = new ManageSieveParser();
    /** AUTHENTICATE through the shared engine; while an exchange runs, lines are its responses. */
    private final SaslConversation sasl;
    private final ScriptCommands scriptCommands;

    private ByteBuffer input = EMPTY;
    /** The literals of the command being received, in order, and the one arriving. */
    private final List<byte[]> literals = new ArrayList<>();
    private @Nullable ByteArrayOutputStream literal;
    private long commandLiteralOctets;
    private boolean tls;
    /** STARTTLS was answered: the capabilities are due once TLS is up. */
    private boolean capabilitiesAfterTls;
    private volatile @Nullable Account account;
    private volatile boolean ended;
    private int commandsBeforeLogin;
    private int badCommands;
    private int authFailures;

    public ManageSieveSession(ManageSieveSettings settings, ConnectionInfo connection, ManageSieveServices services) {
        this.settings = settings;
        this.services = services;
        this.tls = connection.tls();
        this.framer = new ImapFramer(new ImapFramer.Limits(settings.maxLineLength(),
                settings.maxLiteralSizeBeforeLogin(), SieveScripts.MAX_SCRIPT_OCTETS, 16 * 1024), true);
        this.sasl = new SaslConversation(services.sasl(), "managesieve", connection.remoteIp(), false);
        this.scriptCommands = new ScriptCommands(services);
    }

    /** RFC 5804 §1.7: the greeting is the capability response. */
    @Override
    public Flux<Action> open() {
        return write(capabilities() + ManageSieveResponse.ok(null, "Hato ManageSieve ready"));
    }

    @Override
    public Flux<Action> receive(ByteBuffer bytes) {
        input = bytes;
        return Conversation.steps(this::step);
    }

    /** RFC 5804 §2.2: after a successful STARTTLS the server re-issues the capability response, unasked. */
    @Override
    public @Nullable Flux<Action> afterTlsEstablished() {
        if (!capabilitiesAfterTls) {
            return null;
        }
        capabilitiesAfterTls = false;
        return write(capabilities() + ManageSieveResponse.ok(null, "TLS negotiation successful"));
    }

    @Override
    public boolean authenticated() {
        return account != null;
    }

    @Override
    public Duration idleTimeout() {
        return settings.idleTimeout();
    }

    @Override
    public Flux<Action> idle() {
        return goodbye(ManageSieveResponse.bye(null, "Idle for too long"));
    }

    @Override
    public Flux<Action> shutdown() {
        return goodbye(ManageSieveResponse.bye("TRYLATER", "Server shutting down"));
    }

    @Override
    public void closed() {
        ended = true;
        sasl.abandon();
    }

    private @Nullable Flux<Action> step() {
        if (ended) {
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
            ByteArrayOutputStream current = literal;
            if (current != null) {
                current.write(chunk.bytes().array(), chunk.bytes().arrayOffset() + chunk.bytes().position(),
                        chunk.bytes().remaining());
            }
            return Flux.empty();
        }
        if (decoded instanceof ImapDecoded.LiteralEnd) {
            ByteArrayOutputStream current = literal;
            literals.add(current == null ? new byte[0] : current.toByteArray());
            literal = null;
            return Flux.empty();
        }
        if (decoded instanceof ImapDecoded.Failure failure) {
            clearCommand();
            sasl.abandon();
            return bad(failure.kind() == ImapDecoded.Failure.Kind.LITERAL_TOO_LARGE && account != null
                    ? ManageSieveResponse.no("QUOTA/MAXSIZE", failure.detail())
                    : ManageSieveResponse.no(null, failure.detail()));
        }
        byte[] line = ((ImapDecoded.Frame) decoded).line();
        List<byte[]> arguments = List.copyOf(literals);
        clearCommand();
        if (sasl.active()) {
            String response = parser.saslResponse(line, arguments);
            if (response == null) {
                sasl.abandon();
                return bad(ManageSieveResponse.no(null, "Expected a string holding a SASL response"));
            }
            return sasl.respond(response).flatMapMany(step -> authReply(SaslReplies.of(step, sasl.mechanism())));
        }
        ManageSieveCommand command = parser.parse(line, arguments);
        services.meters().counter("hato.managesieve.commands", "command", command.getClass().getSimpleName())
                .increment();
        Account user = account;
        if (user == null && ++commandsBeforeLogin > settings.maxCommandsBeforeLogin()) {
            return goodbye(ManageSieveResponse.bye(null, "Too many commands without logging in"));
        }
        return user == null ? nonAuthenticated(command) : authenticated(user, command);
    }

    /** A literal is accepted while it fits the per-command bound too; else the rest of the command is dropped. */
    private Flux<Action> literalStart(ImapDecoded.LiteralStart start) {
        long budget = account == null ? settings.maxLiteralSizeBeforeLogin()
                : SieveScripts.MAX_SCRIPT_OCTETS + NAMES_ALLOWANCE;
        if (commandLiteralOctets + start.size() > budget) {
            framer.refuseLiteral();
            clearCommand();
            sasl.abandon();
            return bad(account == null ? ManageSieveResponse.no(null, "Literals larger than " + budget + " octets")
                    : ManageSieveResponse.no("QUOTA/MAXSIZE", "Literals larger than " + budget + " octets"));
        }
        commandLiteralOctets += start.size();
        literal = new ByteArrayOutputStream((int) Math.min(start.size(), 16 * 1024));
        return Flux.empty();
    }

    private void clearCommand() {
        literals.clear();
        literal = null;
        commandLiteralOctets = 0;
    }

    /** RFC 5804 §2: before login. */
    private Flux<Action> nonAuthenticated(ManageSieveCommand command) {
        if (command instanceof ManageSieveCommand.Authenticate authenticate) {
            if (!tls) {
                return bad(ManageSieveResponse.no("ENCRYPT-NEEDED",
                        "Authentication is not allowed without TLS; use STARTTLS first"));
            }
            return sasl.start(authenticate.mechanism(), authenticate.initialResponse())
                    .flatMapMany(step -> authReply(SaslReplies.of(step, sasl.mechanism())));
        }
        if (command instanceof ManageSieveCommand.StartTls) {
            return startTls();
        }
        Flux<Action> common = anyState(command);
        return common != null ? common : bad(ManageSieveResponse.no(null, "Log in first"));
    }

    /** RFC 5804 §2: after login. */
    private Flux<Action> authenticated(Account user, ManageSieveCommand command) {
        long id = user.id();
        Mono<String> response;
        if (command instanceof ManageSieveCommand.HaveSpace haveSpace) {
            response = scriptCommands.haveSpace(id, haveSpace);
        } else if (command instanceof ManageSieveCommand.PutScript putScript) {
            response = scriptCommands.putScript(id, putScript);
        } else if (command instanceof ManageSieveCommand.ListScripts) {
            response = scriptCommands.listScripts(id);
        } else if (command instanceof ManageSieveCommand.SetActive setActive) {
            response = scriptCommands.setActive(id, setActive);
        } else if (command instanceof ManageSieveCommand.GetScript getScript) {
            response = scriptCommands.getScript(id, getScript);
        } else if (command instanceof ManageSieveCommand.DeleteScript deleteScript) {
            response = scriptCommands.deleteScript(id, deleteScript);
        } else if (command instanceof ManageSieveCommand.RenameScript renameScript) {
            response = scriptCommands.renameScript(id, renameScript);
        } else if (command instanceof ManageSieveCommand.CheckScript checkScript) {
            response = scriptCommands.checkScript(checkScript);
        } else if (command instanceof ManageSieveCommand.Unauthenticate) {
            // RFC 5804 §2.14: back to the non-authenticated state; TLS stays.
            account = null;
            framer.maxLiteralSize(settings.maxLiteralSizeBeforeLogin());
            return write(ManageSieveResponse.ok(null, "Logged out; authenticate again"));
        } else {
            Flux<Action> common = anyState(command);
            return common != null ? common : bad(ManageSieveResponse.no(null,
                    command instanceof ManageSieveCommand.StartTls ? "STARTTLS is not allowed after login"
                            : "Already logged in"));
        }
        return response.flatMapMany(this::write);
    }

    /** The commands valid in both states (RFC 5804 §2.3, §2.4, §2.13), the refusals of bad input; null for others. */
    private @Nullable Flux<Action> anyState(ManageSieveCommand command) {
        if (command instanceof ManageSieveCommand.Capability) {
            return write(capabilities() + ManageSieveResponse.ok(null, "Capability completed"));
        }
        if (command instanceof ManageSieveCommand.Noop noop) {
            String tag = noop.tag();
            return write(ManageSieveResponse.ok(tag == null ? null : "TAG " + ManageSieveResponse.string(tag),
                    "Done"));
        }
        if (command instanceof ManageSieveCommand.Logout) {
            ended = true;
            sasl.abandon();
            return Flux.just(text(ManageSieveResponse.ok(null, "Logout completed")), Action.close());
        }
        if (command instanceof ManageSieveCommand.Invalid invalid) {
            return bad(ManageSieveResponse.no(null, invalid.reason()));
        }
        if (command instanceof ManageSieveCommand.Unknown) {
            return bad(ManageSieveResponse.no(null, "Unknown command"));
        }
        return null;
    }

    /** RFC 5804 §2.2: OK, then TLS; whatever the client pipelined after the command is dropped. */
    private Flux<Action> startTls() {
        if (tls || !settings.startTlsOffered()) {
            return bad(ManageSieveResponse.no(null, tls ? "TLS is already active" : "STARTTLS is not available"));
        }
        tls = true;
        capabilitiesAfterTls = true;
        framer.reset();
        clearCommand();
        input.position(input.limit());
        return Flux.just(new Action.StartTls(ByteBuffer.wrap(ManageSieveResponse.ok(null, "Begin TLS negotiation")
                .getBytes(StandardCharsets.UTF_8))));
    }

    /** A challenge, a login, or a refusal counted against the session's limits. */
    private Flux<Action> authReply(SaslReplies.Reply reply) {
        if (reply instanceof SaslReplies.Challenge challenge) {
            return write(challenge.line());
        }
        if (reply instanceof SaslReplies.LoggedIn loggedIn) {
            login("success");
            account = loggedIn.account();
            // After login a literal may be a whole script.
            framer.maxLiteralSize(SieveScripts.MAX_SCRIPT_OCTETS);
            return write(ManageSieveResponse.ok(null, "Logged in"));
        }
        SaslReplies.Refused refused = (SaslReplies.Refused) reply;
        if (refused.temporary()) {
            login("unavailable");
            return write(refused.line());
        }
        if (!refused.failedLogin()) {
            login("error");
            return bad(refused.line());
        }
        login("rejected");
        if (++authFailures >= settings.maxAuthFailures()) {
            return goodbye(refused.line() + ManageSieveResponse.bye(null, "Too many failed logins"));
        }
        return write(refused.line());
    }

    /** {@code hato.managesieve.logins} by outcome: success, rejected, unavailable or error. */
    private void login(String outcome) {
        services.meters().counter("hato.managesieve.logins", "outcome", outcome).increment();
    }

    /** RFC 5804 §1.7, in the order of its examples. */
    private String capabilities() {
        StringBuilder out = new StringBuilder();
        capability(out, "IMPLEMENTATION", "Hato " + services.version());
        // RFC 5804 §1.7: an empty SASL list tells the client to use STARTTLS first; no login is offered without TLS.
        capability(out, "SASL", tls ? String.join(" ", sasl.mechanisms()) : "");
        capability(out, "SIEVE", String.join(" ", new TreeSet<>(SieveCompiler.CAPABILITIES)));
        Account user = account;
        if (!tls && settings.startTlsOffered() && user == null) {
            capability(out, "STARTTLS", null);
        }
        capability(out, "MAXREDIRECTS", Integer.toString(SieveInterpreter.MAX_REDIRECTS));
        if (user != null) {
            capability(out, "OWNER", user.authId());
        }
        capability(out, "UNAUTHENTICATE", null);
        capability(out, "VERSION", "1.0");
        return out.toString();
    }

    private static void capability(StringBuilder out, String name, @Nullable String value) {
        out.append(ManageSieveResponse.string(name));
        if (value != null) {
            out.append(' ').append(ManageSieveResponse.string(value));
        }
        out.append("\r\n");
    }

    /** A NO for the command's syntax or state; too many of them end the connection. */
    private Flux<Action> bad(String response) {
        if (++badCommands >= settings.maxBadCommands()) {
            return goodbye(response + ManageSieveResponse.bye(null, "Too many invalid commands"));
        }
        return write(response);
    }

    private Flux<Action> goodbye(String response) {
        ended = true;
        sasl.abandon();
        return Flux.just(text(response), Action.close());
    }

    private Flux<Action> write(String response) {
        return Flux.just(text(response));
    }

    private static Action text(String response) {
        return new Action.Write(ByteBuffer.wrap(response.getBytes(StandardCharsets.UTF_8)));
    }
}
