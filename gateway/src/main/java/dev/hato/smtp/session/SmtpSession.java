package dev.hato.smtp.session;

import dev.hato.auth.AuthOutcome;
import dev.hato.auth.Authenticator;
import dev.hato.auth.Credentials;
import dev.hato.auth.SaslPlain;
import dev.hato.auth.scram.ScramMechanism;
import dev.hato.auth.token.BearerSasl;
import dev.hato.delivery.AcceptedRecipients;
import dev.hato.delivery.Admission;
import dev.hato.delivery.Hops;
import dev.hato.delivery.InboundMessage;
import dev.hato.delivery.MessageSpool;
import dev.hato.delivery.RecipientRequest;
import dev.hato.delivery.TraceHeaders;
import dev.hato.dsn.DeliveryReports;
import dev.hato.imap.fetch.MessageLimitCheck;
import dev.hato.protocol.Action;
import dev.hato.protocol.ConnectionInfo;
import dev.hato.protocol.Conversation;
import dev.hato.protocol.ProtocolSession;
import dev.hato.protocol.wire.Decoded;
import dev.hato.protocol.wire.LineFramer;
import dev.hato.smtp.command.SmtpCommand;
import dev.hato.smtp.command.SmtpCommandParser;
import dev.hato.smtp.command.Xtext;
import dev.hato.smtp.wire.ContentChecks;
import dev.hato.smtp.wire.SmtpDataDecoder;
import dev.hato.store.Account;
import dev.hato.store.Envelope;
import dev.hato.store.OutboundRecipient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One SMTP connection (RFC 5321), MTA or submission role. Input is decoded one frame at a time: command lines, SASL
 * continuation lines while an AUTH exchange runs, and message content while DATA runs. A {@code 250} after DATA is
 * sent only when the delivery writer reports the commit for every accepted recipient.
 */
public final class SmtpSession implements ProtocolSession {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpSession.class);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** The pseudo-mechanism of an OAUTHBEARER/XOAUTH2 exchange waiting for the client's reply to the error. */
    private static final String BEARER_FAILED = "BEARER-FAILED";
    /** The steps of a SCRAM-SHA-256 exchange (RFC 5802 §5): waiting for client-first, client-final, the empty reply. */
    private static final String SCRAM_FIRST = "SCRAM-FIRST";
    private static final String SCRAM_FINAL = "SCRAM-FINAL";
    private static final String SCRAM_CONFIRM = "SCRAM-CONFIRM";

    private final SmtpSettings settings;
    private final ConnectionInfo connection;
    private final SmtpServices services;
    private final LineFramer lines;
    private final SmtpCommandParser parser = new SmtpCommandParser();

    private ByteBuffer input = EMPTY;
    private boolean stopped;
    private boolean tls;
    private @Nullable String helo;
    private boolean extended;
    private @Nullable Account user;
    private @Nullable Transaction transaction;
    private @Nullable SmtpDataDecoder data;
    private @Nullable SaslExchange sasl;
    /** A SCRAM-SHA-256 exchange in progress, between its steps. */
    private ScramMechanism.@Nullable Exchange scram;
    private int errors;
    private int authFailures;
    private int commandsBeforeAuth;
    /** RCPTs of this connection refused as unknown users (directory harvesting is bounded by them). */
    private int unknownRecipients;
    /** Octets of the current BDAT chunk still to read, its size, whether it is the last, why it is refused. */
    private long bdatRemaining;
    private long bdatSize;
    private boolean bdatLast;
    private @Nullable String bdatRefusal;

    public SmtpSession(SmtpSettings settings, ConnectionInfo connection, SmtpServices services) {
        this.settings = settings;
        this.connection = connection;
        this.services = services;
        this.lines = new LineFramer(settings.maxLineLength());
        this.tls = connection.tls();
    }

    @Override
    public Flux<Action> open() {
        return reply("220 " + settings.hostName() + " ESMTP Hato ready");
    }

    @Override
    public Flux<Action> receive(ByteBuffer bytes) {
        input = bytes;
        return Conversation.steps(this::step);
    }

    @Override
    public boolean authenticated() {
        return user != null;
    }

    /**
     * Inside a message: in DATA, or between the chunks of a BDAT transaction. The edge's session deadline waits for
     * its end (the data timeout still bounds a transfer that stalls), so a message is never cut off in the middle.
     */
    @Override
    public boolean busy() {
        Transaction current = transaction;
        return data != null || bdatRemaining > 0 || (current != null && current.spool != null);
    }

    @Override
    public Duration idleTimeout() {
        return data != null || bdatRemaining > 0 ? settings.dataTimeout() : settings.idleTimeout();
    }

    @Override
    public Flux<Action> idle() {
        stopped = true;
        discardTransaction();
        return Flux.<Action>just(Action.line("421 4.4.2 " + settings.hostName() + " Error: timeout exceeded"), Action.close());
    }

    @Override
    public Flux<Action> shutdown() {
        stopped = true;
        discardTransaction();
        // RFC 5321 §3.8: 421 tells the client to try again later; nothing unacknowledged was kept.
        return Flux.just(Action.line("421 4.3.2 " + settings.hostName() + " Service shutting down"),
                Action.close());
    }

    @Override
    public void closed() {
        stopped = true;
        discardTransaction();
        abandonScram();
    }

    /** A client that goes away in the middle of a SCRAM exchange has failed a login (throttle, audit). */
    private void abandonScram() {
        ScramMechanism.Exchange exchange = scram;
        scram = null;
        if (exchange != null) {
            exchange.abandon().subscribe(outcome -> { }, failure -> LOG.warn("SCRAM abandon failed", failure));
        }
    }

    private @Nullable Flux<Action> step() {
        if (stopped) {
            return null;
        }
        if (bdatRemaining > 0) {
            return input.hasRemaining() ? chunkBytes() : null;
        }
        SmtpDataDecoder content = data;
        Decoded decoded = content != null ? content.next(input) : lines.next(input);
        if (decoded instanceof Decoded.NeedMore) {
            return null;
        }
        if (decoded instanceof Decoded.Chunk chunk) {
            return appendContent(chunk.bytes());
        }
        if (decoded instanceof Decoded.End) {
            return endOfData();
        }
        if (decoded instanceof Decoded.Failure failure && sasl != null) {
            if (sasl.mechanism().equals(SCRAM_CONFIRM)) {
                user = null; // the exchange did not complete: no login
            }
            sasl = null;
            abandonScram();
            return error("500 5.5.6 Authentication Exchange line is too long");
        }
        if (decoded instanceof Decoded.Failure failure) {
            return error("500 5.5.2 Line too long (" + failure.detail() + ")");
        }
        Decoded.Line line = (Decoded.Line) decoded;
        if (sasl != null) {
            return saslResponse(line.text());
        }
        // The octets, not the text: a path that is not UTF-8 is refused, not read with U+FFFD (RFC 6531 §3.3).
        return command(parser.parse(line.bytes()));
    }

    private Flux<Action> command(SmtpCommand command) {
        // On the submission ports nothing but AUTH leads anywhere before authentication; a client that keeps
        // talking without it is probing, not submitting.
        if (settings.role() == SmtpSettings.Role.SUBMISSION && user == null
                && ++commandsBeforeAuth > settings.maxCommandsBeforeAuth()) {
            stopped = true;
            discardTransaction();
            return Flux.just(Action.line("421 4.7.0 " + settings.hostName()
                    + " Too many commands without authentication"), Action.close());
        }
        if (command instanceof SmtpCommand.Ehlo ehlo) {
            return greet(ehlo.domain(), true);
        } else if (command instanceof SmtpCommand.Helo heloCommand) {
            return greet(heloCommand.domain(), false);
        } else if (command instanceof SmtpCommand.Mail mail) {
            return mail(mail);
        } else if (command instanceof SmtpCommand.Rcpt rcpt) {
            return rcpt(rcpt);
        } else if (command instanceof SmtpCommand.Data) {
            return data();
        } else if (command instanceof SmtpCommand.Rset) {
            discardTransaction();
            return reply("250 2.0.0 OK");
        } else if (command instanceof SmtpCommand.Noop) {
            return reply("250 2.0.0 OK");
        } else if (command instanceof SmtpCommand.Quit) {
            stopped = true;
            discardTransaction();
            return Flux.<Action>just(Action.line("221 2.0.0 " + settings.hostName() + " closing connection"), Action.close());
        } else if (command instanceof SmtpCommand.Vrfy) {
            // RFC 5321 §3.5.3: 252 when the server will not verify but will accept mail for the address.
            return reply("252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery");
        } else if (command instanceof SmtpCommand.Expn) {
            return error("502 5.5.1 EXPN is not available");
        } else if (command instanceof SmtpCommand.Help) {
            return help();
        } else if (command instanceof SmtpCommand.StartTls) {
            return startTls();
        } else if (command instanceof SmtpCommand.Auth auth) {
            return auth(auth);
        } else if (command instanceof SmtpCommand.Bdat bdat) {
            return bdat(bdat);
        } else if (command instanceof SmtpCommand.Invalid invalid) {
            return error(invalid.code() + " " + invalid.enhancedCode() + " " + invalid.text());
        }
        return error("500 5.5.2 Command not recognized");
    }

    private Flux<Action> greet(String domain, boolean ehlo) {
        discardTransaction();
        helo = domain;
        extended = ehlo;
        if (!ehlo) {
            return reply("250 " + settings.hostName());
        }
        List<String> lines = new ArrayList<>();
        lines.add(settings.hostName() + " Hello " + domain + " [" + connection.remoteIp() + "]");
        lines.add("PIPELINING");
        lines.add("SIZE " + settings.maxMessageSize());
        lines.add("8BITMIME");
        lines.add("ENHANCEDSTATUSCODES");
        lines.add("CHUNKING");
        lines.add("BINARYMIME");
        lines.add("DSN");
        lines.add("SMTPUTF8");
        if (startTlsAvailable()) {
            lines.add("STARTTLS");
        }
        if (authAvailable()) {
            lines.add("AUTH " + mechanisms());
        }
        return multiline(250, lines);
    }

    private Flux<Action> help() {
        String commands = "EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP"
                + (startTlsAvailable() ? " STARTTLS" : "") + (authAvailable() ? " AUTH" : "");
        return multiline(214, List.of("2.0.0 Commands: " + commands, "2.0.0 See RFC 5321"));
    }

    private Flux<Action> mail(SmtpCommand.Mail mail) {
        if (helo == null) {
            return error("503 5.5.1 Send EHLO or HELO first");
        }
        if (transaction != null) {
            return error("503 5.5.1 Nested MAIL command");
        }
        if (settings.role() == SmtpSettings.Role.SUBMISSION) {
            if (!tls) {
                return error("530 5.7.0 Must issue a STARTTLS command first");
            }
            Account account = user;
            if (account == null) {
                return error("530 5.7.0 Authentication required");
            }
            // RFC 8098 §2.1: read receipts go out with a null reverse-path.
            if (!mail.reversePath().isEmpty() && !mail.reversePath().equalsIgnoreCase(account.address())) {
                return error("553 5.7.1 Sender address <" + mail.reversePath()
                        + "> is not owned by the authenticated user; use " + account.address());
            }
        }
        boolean utf8 = false;
        Envelope.Body body = Envelope.Body.SEVEN_BIT;
        Envelope.Ret ret = null;
        String envId = null;
        for (Map.Entry<String, String> parameter : mail.parameters().entrySet()) {
            String value = parameter.getValue();
            switch (parameter.getKey()) {
                case "SIZE" -> {
                    long declared;
                    try {
                        declared = value == null ? -1 : Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        declared = -1;
                    }
                    if (declared < 0) {
                        return error("501 5.5.4 Syntax: SIZE=<octets>");
                    }
                    // RFC 1870 §6.2: refuse at MAIL when the declared size is over the limit.
                    if (declared > settings.maxMessageSize()) {
                        return error("552 5.3.4 Message size exceeds fixed maximum message size of "
                                + settings.maxMessageSize() + " octets");
                    }
                }
                case "BODY" -> {
                    Envelope.Body declared = value == null ? null : Envelope.Body.of(value);
                    if (declared == null) {
                        return error("501 5.5.4 BODY must be 7BIT, 8BITMIME or BINARYMIME");
                    }
                    body = declared;
                }
                case "SMTPUTF8" -> {
                    // RFC 6531 §3.4: a keyword without a value.
                    if (value != null) {
                        return error("501 5.5.4 SMTPUTF8 takes no value");
                    }
                    utf8 = true;
                }
                case "RET" -> {
                    // RFC 3461 §4.3
                    if (value == null || !(value.equalsIgnoreCase("FULL") || value.equalsIgnoreCase("HDRS"))) {
                        return error("501 5.5.4 Syntax: RET=FULL or RET=HDRS");
                    }
                    ret = value.equalsIgnoreCase("FULL") ? Envelope.Ret.FULL : Envelope.Ret.HDRS;
                }
                case "ENVID" -> {
                    // RFC 3461 §4.4: xtext of printable ASCII, at most 100 characters.
                    if (value == null || value.length() > 100 || !Xtext.isXtext(value)) {
                        return error("501 5.5.4 Syntax: ENVID=<xtext of at most 100 characters>");
                    }
                    envId = value;
                }
                case "AUTH" -> {
                    // RFC 4954 §5: accepted when AUTH is offered; Hato trusts no other server's claim, so the
                    // message is treated as if AUTH=<> had been given.
                    if (value == null || settings.role() != SmtpSettings.Role.SUBMISSION) {
                        return error("501 5.5.4 Syntax: AUTH=<mailbox> is accepted only on the submission ports");
                    }
                }
                default -> {
                    return error("555 5.5.4 Unsupported MAIL parameter " + parameter.getKey());
                }
            }
        }
        if (!utf8 && !isAscii(mail.reversePath())) {
            // RFC 6531 §3.5: non-ASCII addresses only in a transaction that announced SMTPUTF8.
            return error("553 5.6.7 Non-ASCII address without SMTPUTF8; add SMTPUTF8 to MAIL FROM");
        }
        transaction = new Transaction(new Envelope(mail.reversePath(), envId, ret, utf8, body),
                user != null ? DeliveryReports.Origin.AUTHENTICATED : DeliveryReports.Origin.UNAUTHENTICATED);
        return reply("250 2.1.0 Sender OK");
    }

    private Flux<Action> rcpt(SmtpCommand.Rcpt rcpt) {
        Transaction current = transaction;
        if (current == null) {
            return error("503 5.5.1 Need MAIL before RCPT");
        }
        EnumSet<OutboundRecipient.Notify> notify = EnumSet.noneOf(OutboundRecipient.Notify.class);
        String orcpt = null;
        for (Map.Entry<String, String> parameter : rcpt.parameters().entrySet()) {
            String value = parameter.getValue();
            switch (parameter.getKey()) {
                case "NOTIFY" -> {
                    // RFC 3461 §4.1: NEVER, or a comma-separated list of SUCCESS, FAILURE, DELAY.
                    if (value == null || !parseNotify(value, notify)) {
                        return error("501 5.5.4 Syntax: NOTIFY=NEVER or NOTIFY=SUCCESS,FAILURE,DELAY");
                    }
                }
                case "ORCPT" -> {
                    // RFC 3461 §4.2: addr-type ";" xtext; RFC 6533 §3 utf-8 addresses under SMTPUTF8.
                    orcpt = value == null ? null : originalRecipient(value, current.envelope.utf8());
                    if (orcpt == null) {
                        return error("501 5.5.4 Syntax: ORCPT=rfc822;<xtext address>");
                    }
                }
                default -> {
                    return error("555 5.5.4 Unsupported RCPT parameter " + parameter.getKey());
                }
            }
        }
        if (current.recipients.count() >= settings.maxRecipients()) {
            return reply("452 4.5.3 Too many recipients");
        }
        String address = rcpt.forwardPath();
        if (!current.envelope.utf8() && !isAscii(address)) {
            return reply("553 5.6.7 Non-ASCII address without SMTPUTF8; add SMTPUTF8 to MAIL FROM");
        }
        if (address.indexOf('@') < 0) {
            // RFC 5321 §4.5.1: "postmaster" without a domain must be accepted for the server's own domain.
            address = address + "@" + settings.hostName();
        }
        String target = address;
        RecipientRequest request = new RecipientRequest(target, notify, orcpt, current.envelope.utf8(),
                settings.role() == SmtpSettings.Role.SUBMISSION);
        return services.delivery().admit(current.recipients, request)
                .flatMapMany(admission -> {
                    if (admission instanceof Admission.Admitted) {
                        return reply("250 2.1.5 Recipient OK");
                    }
                    if (admission instanceof Admission.UnknownUser) {
                        // RFC 5321 §3.3: a refused recipient is an answer, not a protocol error of the client.
                        return unknownRecipient(target);
                    }
                    return reply(((Admission.Refused) admission).reply().line());
                })
                .onErrorResume(failure -> {
                    LOG.warn("recipient lookup failed: {}", failure.toString());
                    return reply("451 4.3.0 Temporary lookup failure, try again later");
                });
    }

    /**
     * The answer to a RCPT for a user that does not exist: 550, later ones of the connection after a growing delay
     * (on a timer, the event loop is not held), and past the limit of the connection or of the client address 421
     * and the end of the connection (RFC 5321 §3.8), so that guessing addresses is slow and soon over. Not for an
     * authenticated session: it gets its 550 at once and is counted nowhere.
     */
    private Flux<Action> unknownRecipient(String target) {
        String unknown = "550 5.1.1 <" + target + ">: Recipient address rejected: User unknown";
        if (user != null) {
            // A logged-in user sending to stale addresses is not harvesting, and counting it per client address
            // would send everyone behind the same NAT away: an account's sending is to be bounded per account.
            return reply(unknown);
        }
        UnknownRecipients guard = services.unknownRecipients();
        UnknownRecipients.Verdict verdict = guard.unknown(connection.remoteIp(), ++unknownRecipients);
        if (verdict.close()) {
            stopped = true;
            discardTransaction();
            return Flux.just(Action.line("421 4.7.0 " + settings.hostName()
                    + " Too many unknown recipients, closing connection"), Action.close());
        }
        return guard.pause(verdict.delay()).thenMany(reply(unknown));
    }

    /** Fills {@code into} from a NOTIFY value; false when it is malformed (RFC 3461 §4.1). */
    private static boolean parseNotify(String value, Set<OutboundRecipient.Notify> into) {
        for (String part : value.split(",", -1)) {
            OutboundRecipient.Notify kind;
            try {
                kind = OutboundRecipient.Notify.valueOf(part.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return false;
            }
            if (!into.add(kind)) {
                return false;
            }
        }
        return !(into.contains(OutboundRecipient.Notify.NEVER) && into.size() > 1);
    }

    /** {@code addr-type;address} with the address decoded, or null when malformed. */
    private static @Nullable String originalRecipient(String value, boolean utf8) {
        int semicolon = value.indexOf(';');
        if (semicolon <= 0 || semicolon == value.length() - 1) {
            return null;
        }
        String type = value.substring(0, semicolon);
        if (!type.chars().allMatch(c -> c < 0x80 && (Character.isLetterOrDigit(c) || c == '-'))) {
            return null;
        }
        boolean unicode = utf8 && type.equalsIgnoreCase("utf-8");
        String address = Xtext.decode(value.substring(semicolon + 1), unicode);
        return address == null ? null : type.toLowerCase(Locale.ROOT) + ";" + address;
    }

    private Flux<Action> data() {
        Transaction current = transaction;
        if (current == null) {
            return error("503 5.5.1 Need MAIL before DATA");
        }
        if (current.recipients.count() == 0) {
            return error("554 5.5.1 No valid recipients");
        }
        if (current.envelope.body() == Envelope.Body.BINARY_MIME) {
            // RFC 3030 §3: a BINARYMIME message can only be sent with BDAT.
            return error("503 5.5.1 BODY=BINARYMIME requires BDAT, not DATA");
        }
        if (current.spool != null) {
            // RFC 3030 §2: DATA and BDAT cannot be mixed in one transaction.
            return error("503 5.5.1 DATA cannot follow BDAT in the same transaction");
        }
        data = new SmtpDataDecoder(settings.maxMessageSize());
        return startMessage(current).thenMany(reply("354 Start mail input; end with <CRLF>.<CRLF>"));
    }

    /** Opens the spool with the trace fields first. */
    private Mono<Void> startMessage(Transaction current) {
        MessageSpool spool = new MessageSpool(settings.spoolDirectory(), settings.spoolMemoryLimit(), services.io());
        current.spool = spool;
        current.id = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
        current.checks = new ContentChecks(settings.bareLineEndings() == SmtpSettings.BareLineEndings.NORMALIZE,
                current.envelope.body() == Envelope.Body.BINARY_MIME, settings.messageLimits().maxHeaderLine());
        current.shape = new MessageLimitCheck(settings.messageLimits());
        byte[] trace = TraceHeaders.of(current.envelope.sender(), helo == null ? "unknown" : helo,
                connection.remoteIp(), settings.hostName(), protocolName(current.envelope.utf8()), current.id,
                current.recipients.addresses(), current.recipients.deliveredTo(), ZonedDateTime.now(services.clock()));
        return spool.append(ByteBuffer.wrap(trace));
    }
    /**
     * RFC 3030 BDAT: the next {@code size} octets are message content, whatever the reply; a refused chunk is
     * still read (the client pipelines it) and then refused.
     */
    private Flux<Action> bdat(SmtpCommand.Bdat bdat) {
        bdatRemaining = bdat.size();
        bdatSize = bdat.size();
        bdatLast = bdat.last();
        bdatRefusal = null;
        Transaction current = transaction;
        Flux<Action> start = Flux.empty();
        if (current == null) {
            bdatRefusal = "503 5.5.1 Need MAIL before BDAT";
        } else if (current.recipients.count() == 0) {
            bdatRefusal = "554 5.5.1 No valid recipients";
        } else if (current.spool == null) {
            start = startMessage(current).thenMany(Flux.<Action>empty());
        }
        return bdatRemaining == 0 ? start.concatWith(Flux.defer(this::endOfChunk)) : start;
    }

    private Flux<Action> chunkBytes() {
        int n = (int) Math.min(bdatRemaining, input.remaining());
        byte[] bytes = new byte[n];
        input.get(bytes);
        bdatRemaining -= n;
        Transaction current = transaction;
        Flux<Action> stored = Flux.empty();
        if (bdatRefusal == null && current != null) {
            current.chunkedSize += n;
            if (current.chunkedSize > settings.maxMessageSize()) {
                current.chunkedExceeded = true;
            } else {
                stored = appendContent(ByteBuffer.wrap(bytes));
            }
        }
        return bdatRemaining > 0 ? stored : stored.concatWith(Flux.defer(this::endOfChunk));
    }

    private Flux<Action> endOfChunk() {
        String refusal = bdatRefusal;
        bdatRefusal = null;
        if (refusal != null) {
            return error(refusal);
        }
        Transaction current = transaction;
        if (current == null) {
            return error("503 5.5.1 Bad sequence of commands");
        }
        if (!bdatLast) {
            return reply("250 2.0.0 " + bdatSize + " octets received");
        }
        transaction = null;
        ContentChecks checks = current.checks;
        if (checks == null) {
            return finishMessage(current, current.chunkedExceeded, null);
        }
        // BDAT content may end in a bare CR, which gets its LF only now (RFC 5321 §2.3.8).
        ByteBuffer end = checks.end();
        MessageSpool spool = current.spool;
        Mono<Void> stored = !end.hasRemaining() || spool == null || current.failed || current.chunkedExceeded
                ? Mono.empty()
                : spool.append(end).onErrorResume(failure -> {
                    LOG.error("spooling message failed", failure);
                    current.failed = true;
                    return Mono.empty();
                });
        return stored.thenMany(Flux.defer(() -> finishMessage(current, current.chunkedExceeded, contentRefusal(
                checks.sawNul(), checks.headerLineTooLong(),
                checks.sawBareLineFeed() || checks.sawBareCarriageReturn()))));
    }

    private Flux<Action> appendContent(ByteBuffer bytes) {
        Transaction current = transaction;
        if (current == null || current.spool == null || current.failed) {
            return Flux.empty();
        }
        ContentChecks checks = current.checks;
        ByteBuffer content = checks == null ? bytes : checks.apply(bytes);
        MessageLimitCheck shape = current.shape;
        if (shape != null) {
            shape.feed(content);
        }
        return current.spool.append(content)
                .thenMany(Flux.<Action>empty())
                .onErrorResume(failure -> {
                    // Keep reading to the end of the data, then answer 451: the client must not see a 250.
                    LOG.error("spooling message failed", failure);
                    current.failed = true;
                    return Flux.empty();
                });
    }

    private Flux<Action> endOfData() {
        SmtpDataDecoder decoder = data;
        Transaction current = transaction;
        data = null;
        transaction = null;
        if (current == null || current.spool == null || decoder == null) {
            return error("503 5.5.1 Bad sequence of commands");
        }
        ContentChecks checks = current.checks;
        return finishMessage(current, decoder.exceeded(), contentRefusal(decoder.sawNul(),
                checks != null && checks.headerLineTooLong(), decoder.sawBareLineFeedOrCarriageReturn()));
    }

    /** The end of a message (DATA or BDAT LAST): refuse it, or commit it and answer 250 after the commit. */
    private Flux<Action> finishMessage(Transaction current, boolean exceeded, @Nullable String refusal) {
        MessageSpool spool = current.spool;
        if (spool == null) {
            return error("503 5.5.1 Bad sequence of commands");
        }
        if (exceeded) {
            spool.discard();
            return reply("552 5.3.4 Message size exceeds fixed maximum message size of "
                    + settings.maxMessageSize() + " octets");
        }
        if (current.failed) {
            spool.discard();
            return reply("451 4.3.0 Local error while receiving the message, try again later");
        }
        if (refusal == null) {
            refusal = shapeRefusal(current);
        }
        if (refusal != null) {
            spool.discard();
            return reply(refusal);
        }
        ContentChecks checks = current.checks;
        Hops hops = checks == null ? Hops.NONE : new Hops(checks.receivedFields(), checks.deliveredTo());
        return services.delivery().deliver(new InboundMessage(current.id, bodyAsReceived(current), current.origin,
                        spool, current.recipients, hops))
                .flatMapMany(result -> {
                    if (!result.accepted()) {
                        return reply(result.firstFailure().line());
                    }
                    errors = 0;
                    return reply("250 2.0.0 OK: message " + current.id + " stored for " + result.stored()
                            + " local recipient(s)" + (result.queued() == 0 ? "" : ", queued for "
                            + result.queued() + " remote"));
                });
    }

    /**
     * The envelope with the body type the content really has: 7BIT and 8BITMIME are what the client declares
     * (RFC 6152), often wrongly; what is passed on must say whether 8-bit octets are there, so that a server without
     * 8BITMIME gets 7-bit messages and is never sent 8-bit ones. BINARYMIME stays as declared.
     */
    private static Envelope bodyAsReceived(Transaction current) {
        Envelope envelope = current.envelope;
        ContentChecks checks = current.checks;
        if (checks == null || envelope.body() == Envelope.Body.BINARY_MIME) {
            return envelope;
        }
        Envelope.Body body = checks.sawEightBit() ? Envelope.Body.EIGHT_BIT_MIME : Envelope.Body.SEVEN_BIT;
        return body == envelope.body() ? envelope
                : new Envelope(envelope.sender(), envelope.envId(), envelope.ret(), envelope.utf8(), body);
    }

    /**
     * A message beyond the MIME limits FETCH can serve (too many parts, nested too deep, a header section too large or
     * with too many fields, a header line of a part over 998 octets): refused for good, RFC 3463 5.3.4 for a size,
     * 5.6.0 (media error) for a shape.
     */
    private static @Nullable String shapeRefusal(Transaction current) {
        MessageLimitCheck shape = current.shape;
        MessageLimitCheck.Breach breach = shape == null ? null : shape.finish();
        if (breach == null) {
            return null;
        }
        return (breach.kind() == MessageLimitCheck.Kind.HEADER_SIZE ? "552 5.3.4" : "554 5.6.0")
                + " Message refused: " + breach.text();
    }

    /** Content the server will not store, with the reply that says why; null when the message is acceptable. */
    private @Nullable String contentRefusal(boolean nul, boolean headerLineTooLong, boolean bareLineEndings) {
        if (nul) {
            return "554 5.6.0 Message refused: it contains NUL octets (RFC 5321 §2.3.8)";
        }
        if (headerLineTooLong) {
            return "554 5.6.0 Message refused: a header line is longer than " + settings.messageLimits().maxHeaderLine()
                    + " octets (RFC 5322 §2.1.1)";
        }
        if (settings.bareLineEndings() == SmtpSettings.BareLineEndings.REJECT && bareLineEndings) {
            return "554 5.6.0 Message refused: bare CR or LF line endings (RFC 5321 §2.3.8); use CRLF";
        }
        return null;
    }

    private Flux<Action> startTls() {
        if (!startTlsAvailable()) {
            return error(tls ? "503 5.5.1 TLS already active" : "502 5.5.1 STARTTLS not available");
        }
        // RFC 3207 §4.2: forget everything learned before TLS; the client starts over with EHLO.
        tls = true;
        helo = null;
        extended = false;
        user = null;
        discardTransaction();
        lines.reset();
        input.position(input.limit());
        return Flux.<Action>just(new Action.StartTls(ByteBuffer.wrap("220 2.0.0 Ready to start TLS\r\n"
                .getBytes(StandardCharsets.US_ASCII))));
    }

    private Flux<Action> auth(SmtpCommand.Auth auth) {
        if (settings.role() != SmtpSettings.Role.SUBMISSION) {
            return error("503 5.5.1 AUTH is not available on this port; use the submission port");
        }
        if (!tls) {
            return error("538 5.7.11 Encryption required for requested authentication mechanism");
        }
        if (!extended) {
            return error("503 5.5.1 Send EHLO first");
        }
        if (user != null) {
            return error("503 5.5.1 Already authenticated");
        }
        if (transaction != null) {
            return error("503 5.5.1 AUTH not permitted during a mail transaction");
        }
        String initial = auth.initialResponse();
        switch (auth.mechanism()) {
            case "PLAIN" -> {
                if (initial == null) {
                    sasl = new SaslExchange("PLAIN", null);
                    return reply("334 ");
                }
                return plain(initial);
            }
            case "LOGIN" -> {
                if (initial == null) {
                    sasl = new SaslExchange("LOGIN", null);
                    return reply("334 " + b64("Username:"));
                }
                return loginUsername(initial);
            }
            case ScramMechanism.NAME -> {
                ScramMechanism mechanism = services.scram();
                if (mechanism == null) {
                    return error("504 5.5.4 Unrecognized authentication type");
                }
                scram = mechanism.start("smtp", connection.remoteIp());
                if (initial == null) {
                    sasl = new SaslExchange(SCRAM_FIRST, null);
                    return reply("334 ");
                }
                return scramFirst(initial);
            }
            case "OAUTHBEARER", "XOAUTH2" -> {
                if (services.tokens() == null) {
                    return error("504 5.5.4 Unrecognized authentication type");
                }
                if (initial == null) {
                    sasl = new SaslExchange(auth.mechanism(), null);
                    return reply("334 ");
                }
                return bearer(auth.mechanism(), initial);
            }
            default -> {
                return error("504 5.5.4 Unrecognized authentication type");
            }
        }
    }

    private String mechanisms() {
        return (services.scram() == null ? "" : ScramMechanism.NAME + " ") + "PLAIN LOGIN"
                + (services.tokens() == null ? "" : " OAUTHBEARER XOAUTH2");
    }

    /** RFC 5802 §5 client-first-message, base64 as RFC 4954 §4 carries it. */
    private Flux<Action> scramFirst(String response) {
        byte[] message = decodeBytes(response.equals("=") ? "" : response);
        ScramMechanism.Exchange exchange = scram;
        if (message == null || exchange == null) {
            scram = null;
            return error("501 5.5.2 Cannot decode SCRAM-SHA-256 response");
        }
        return exchange.clientFirst(message).flatMapMany(step -> scramStep(step, SCRAM_FINAL));
    }

    private Flux<Action> scramFinal(String response) {
        byte[] message = decodeBytes(response);
        ScramMechanism.Exchange exchange = scram;
        if (message == null || exchange == null) {
            abandonScram();
            return error("501 5.5.2 Cannot decode SCRAM-SHA-256 response");
        }
        return exchange.clientFinal(message).flatMapMany(step -> scramStep(step, SCRAM_CONFIRM));
    }

    private Flux<Action> scramStep(ScramMechanism.Step step, String next) {
        if (step instanceof ScramMechanism.Challenge challenge) {
            sasl = new SaslExchange(next, null);
            return reply("334 " + b64(challenge.message()));
        }
        scram = null;
        ScramMechanism.Done done = (ScramMechanism.Done) step;
        AuthOutcome outcome = done.outcome();
        if (outcome instanceof AuthOutcome.Success success && done.message() != null) {
            // RFC 4954 §4: no success with data, so the server-final-message is one more challenge; the client
            // checks it and answers with an empty line.
            user = success.account();
            sasl = new SaslExchange(SCRAM_CONFIRM, null);
            return reply("334 " + b64(done.message()));
        }
        return loginOutcome(outcome);
    }

    private Flux<Action> bearer(String mechanism, String response) {
        var decoded = mechanism.equals("XOAUTH2") ? BearerSasl.xoauth2(response) : BearerSasl.oauthBearer(response);
        Authenticator tokens = services.tokens();
        if (decoded.isEmpty() || tokens == null) {
            return error("501 5.5.2 Cannot decode " + mechanism + " response");
        }
        Credentials credentials = new Credentials(decoded.get().user(), decoded.get().token(), "smtp",
                connection.remoteIp());
        return tokens.authenticate(credentials).flatMapMany(outcome -> {
            if (outcome instanceof AuthOutcome.Success success) {
                user = success.account();
                return reply("235 2.7.0 Authentication successful");
            }
            if (outcome instanceof AuthOutcome.Unavailable) {
                return reply("454 4.7.0 Temporary authentication failure, try again later");
            }
            // RFC 7628 §3.2.2: report the error as a challenge; the client answers with a dummy response.
            sasl = new SaslExchange(BEARER_FAILED, null);
            return reply("334 " + BearerSasl.ERROR_CHALLENGE);
        });
    }

    private Flux<Action> saslResponse(String line) {
        SaslExchange exchange = sasl;
        sasl = null;
        if (exchange == null) {
            return Flux.empty();
        }
        if (exchange.mechanism().equals(BEARER_FAILED)) {
            return authFailed("535 5.7.8 Authentication credentials invalid");
        }
        if (line.equals("*")) {
            if (exchange.mechanism().equals(SCRAM_CONFIRM)) {
                // The client does not trust our server signature: it will not be logged in.
                user = null;
            }
            abandonScram();
            return error("501 5.0.0 Authentication cancelled");
        }
        if (exchange.mechanism().equals(SCRAM_FIRST)) {
            return scramFirst(line);
        }
        if (exchange.mechanism().equals(SCRAM_FINAL)) {
            return scramFinal(line);
        }
        if (exchange.mechanism().equals(SCRAM_CONFIRM)) {
            return line.isEmpty() || line.equals("=") ? reply("235 2.7.0 Authentication successful")
                    : confirmRefused();
        }
        if (exchange.mechanism().equals("PLAIN")) {
            return plain(line);
        }
        if (exchange.mechanism().equals("OAUTHBEARER") || exchange.mechanism().equals("XOAUTH2")) {
            return bearer(exchange.mechanism(), line);
        }
        if (exchange.username() == null) {
            return loginUsername(line);
        }
        String password = decode(line);
        if (password == null) {
            return error("501 5.5.2 Cannot decode response");
        }
        return verify(exchange.username(), password);
    }

    private Flux<Action> plain(String response) {
        // RFC 4954 §4: "=" is an empty initial response.
        var message = SaslPlain.decode(response.equals("=") ? "" : response);
        if (message.isEmpty()) {
            return error("501 5.5.2 Cannot decode AUTH PLAIN response");
        }
        SaslPlain.Message plain = message.get();
        if (!plain.authzid().isEmpty() && !plain.authzid().equalsIgnoreCase(plain.authcid())) {
            return authFailed("535 5.7.8 Authentication credentials invalid (authorization identity not allowed)");
        }
        return verify(plain.authcid(), plain.password());
    }

    private Flux<Action> loginUsername(String response) {
        String username = decode(response);
        if (username == null || username.isEmpty()) {
            return error("501 5.5.2 Cannot decode AUTH LOGIN username");
        }
        sasl = new SaslExchange("LOGIN", username);
        return reply("334 " + b64("Password:"));
    }

    private Flux<Action> verify(String login, String password) {
        Credentials credentials = new Credentials(login, password, "smtp", connection.remoteIp());
        return services.authenticator().authenticate(credentials).flatMapMany(this::loginOutcome);
    }

    /** The reply to a finished login, whatever the mechanism (RFC 4954 §6 codes). */
    private Flux<Action> loginOutcome(AuthOutcome outcome) {
        if (outcome instanceof AuthOutcome.Success success) {
            user = success.account();
            return reply("235 2.7.0 Authentication successful");
        }
        if (outcome instanceof AuthOutcome.Rejected rejected && rejected.addressGiven()) {
            return authFailed("535 5.7.8 Authentication credentials invalid: log in with your auth ID, "
                    + "not your e-mail address");
        }
        if (outcome instanceof AuthOutcome.Unavailable) {
            return reply("454 4.7.0 Temporary authentication failure, try again later");
        }
        return authFailed("535 5.7.8 Authentication credentials invalid");
    }

    /** The client answered our server-final-message with something else than an empty response. */
    private Flux<Action> confirmRefused() {
        user = null;
        return authFailed("535 5.7.8 Authentication exchange not completed");
    }

    private Flux<Action> authFailed(String text) {
        authFailures++;
        if (authFailures >= settings.maxAuthFailures()) {
            stopped = true;
            return Flux.<Action>just(Action.line(text),
                    Action.line("421 4.7.0 " + settings.hostName() + " Too many failed authentications"),
                    Action.close());
        }
        return reply(text);
    }

    private Flux<Action> error(String text) {
        errors++;
        if (errors >= settings.maxErrors()) {
            stopped = true;
            discardTransaction();
            return Flux.<Action>just(Action.line(text),
                    Action.line("421 4.7.0 " + settings.hostName() + " Too many errors, closing connection"),
                    Action.close());
        }
        return reply(text);
    }

    private boolean startTlsAvailable() {
        return settings.startTlsOffered() && !tls;
    }

    private boolean authAvailable() {
        return settings.role() == SmtpSettings.Role.SUBMISSION && tls && user == null;
    }

    private String protocolName(boolean utf8) {
        // RFC 3848 with-protocol types; RFC 6531 §3.7.3 UTF8SMTP, UTF8SMTPA, UTF8SMTPS, UTF8SMTPSA.
        if (!extended) {
            return "SMTP";
        }
        return (utf8 ? "UTF8SMTP" : "ESMTP") + (tls ? "S" : "") + (user != null ? "A" : "");
    }

    private void discardTransaction() {
        Transaction current = transaction;
        transaction = null;
        data = null;
        if (current != null && current.spool != null) {
            current.spool.discard();
        }
    }

    private static boolean isAscii(String text) {
        return text.chars().allMatch(c -> c < 0x80);
    }

    private static Flux<Action> reply(String text) {
        return Flux.<Action>just(Action.line(text));
    }

    private static Flux<Action> multiline(int code, List<String> texts) {
        StringBuilder reply = new StringBuilder();
        for (int i = 0; i < texts.size(); i++) {
            reply.append(code).append(i == texts.size() - 1 ? ' ' : '-').append(texts.get(i)).append("\r\n");
        }
        return Flux.<Action>just(new Action.Write(ByteBuffer.wrap(reply.toString().getBytes(StandardCharsets.UTF_8))));
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte @Nullable [] decodeBytes(String base64) {
        try {
            return Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static @Nullable String decode(String base64) {
        try {
            return new String(Base64.getDecoder().decode(base64.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** An AUTH exchange waiting for the client's next line. */
    private record SaslExchange(String mechanism, @Nullable String username) { }

    /** The envelope of the message being received. */
    private static final class Transaction {
        final Envelope envelope;
        /** Whether the sender logged in: what a success report to the envelope sender may quote depends on it. */
        final DeliveryReports.Origin origin;
        /** The recipients the delivery pipeline admitted. */
        final AcceptedRecipients recipients = new AcceptedRecipients();
        @Nullable MessageSpool spool;
        @Nullable ContentChecks checks;
        @Nullable MessageLimitCheck shape;
        long chunkedSize;
        boolean chunkedExceeded;
        String id = "";
        boolean failed;

        Transaction(Envelope envelope, DeliveryReports.Origin origin) {
            this.envelope = envelope;
            this.origin = origin;
        }
    }
}
