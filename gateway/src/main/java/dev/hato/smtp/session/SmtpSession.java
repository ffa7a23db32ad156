package dev.hato.smtp.session;

import dev.hato.delivery.MessageSpool;
import dev.hato.delivery.Recipient;
import dev.hato.delivery.TraceHeaders;
import dev.hato.dsn.DeliveryReports;
import dev.hato.dsn.RecipientReport;
import dev.hato.message.MessageLimitCheck;
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
import dev.hato.store.directory.Account;
import dev.hato.store.mail.Delivery;
import dev.hato.store.mail.DeliveryReceipt;
import dev.hato.store.queue.Envelope;
import dev.hato.store.queue.OutboundRecipient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
    /** Quota lookups in flight at the end of a message for many recipients. */
    private static final int QUOTA_LOOKUPS = 8;

    private final SmtpSettings settings;
    private final ConnectionInfo connection;
    private final SmtpServices services;
    private final LineFramer lines;
    private final SmtpCommandParser parser = new SmtpCommandParser();
    /** AUTH over the SASL engine; while an exchange runs, lines are its responses. */
    private final SmtpAuthExchange sasl;

    private ByteBuffer input = EMPTY;
    private boolean stopped;
    private boolean tls;
    private @Nullable String helo;
    private boolean extended;
    private @Nullable Account user;
    private @Nullable Transaction transaction;
    private @Nullable SmtpDataDecoder data;
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
        this.sasl = new SmtpAuthExchange(services.sasl(), connection.remoteIp());
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
        sasl.abandon(); // a client that goes away in the middle of a SCRAM exchange has failed a login
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
        if (decoded instanceof Decoded.Failure && sasl.active()) {
            return authReply(sasl.lineTooLong());
        }
        if (decoded instanceof Decoded.Failure failure) {
            return error("500 5.5.2 Line too long (" + failure.detail() + ")");
        }
        Decoded.Line line = (Decoded.Line) decoded;
        if (sasl.active()) {
            return sasl.respond(line.text()).flatMapMany(this::authReply);
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
        if (current.rcptCount >= settings.maxRecipients()) {
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
        String orcptGiven = orcpt;
        // A forwarded or expanded copy names the address the client gave as its original recipient.
        String original = orcpt != null ? orcpt : (current.envelope.utf8() ? "utf-8;" : "rfc822;") + target;
        return services.recipients().resolve(target)
                .flatMapMany(recipient -> {
                    if (recipient instanceof Recipient.Resolved resolved) {
                        if (!resolved.remote().isEmpty() && !settings.remoteDelivery()) {
                            return reply("451 4.3.5 <" + target + ">: forwarding to other domains is not "
                                    + "enabled on this server (hato.outbound.enabled)");
                        }
                        return allFull(current, resolved.accounts()).flatMapMany(full -> {
                            if (full && resolved.remote().isEmpty()) {
                                // RFC 3463 X.2.2: mailbox full; temporary, as the owner may make room
                                return reply("452 4.2.2 <" + target + ">: Mailbox full, try again later");
                            }
                            current.accept(target, notify, orcptGiven, original, resolved.accounts(),
                                    resolved.remote(), resolved.forwardedBy());
                            return reply("250 2.1.5 Recipient OK");
                        });
                    }
                    if (recipient instanceof Recipient.UnknownLocal) {
                        // RFC 5321 §3.3: a refused recipient is an answer, not a protocol error of the client.
                        return unknownRecipient(target);
                    }
                    if (recipient instanceof Recipient.Unroutable unroutable) {
                        return reply("550 5.4.6 <" + target + ">: " + unroutable.reason());
                    }
                    if (settings.role() == SmtpSettings.Role.SUBMISSION) {
                        if (!settings.remoteDelivery()) {
                            return reply("550 5.7.1 <" + target + ">: delivery to other domains is not enabled "
                                    + "on this server; message not accepted for this recipient");
                        }
                        current.accept(target, notify, orcptGiven, orcptGiven, List.of(), List.of(target),
                                List.of());
                        return reply("250 2.1.5 Recipient OK");
                    }
                    return reply("554 5.7.1 <" + target + ">: Relay access denied");
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
        if (current.rcptCount == 0) {
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
        // Delivered-To only when the message leaves (a loop needs a hop through another server), and only with one
        // RCPT: the stored message is shared by all recipients, and an alias or forwarding address must not show to
        // the others (a Bcc would be revealed). Messages to several recipients are caught by the hop count.
        List<String> deliveredTo = current.outbound.isEmpty() || current.rcptCount != 1 ? List.of()
                : List.copyOf(current.forwardedBy);
        byte[] trace = TraceHeaders.of(current.envelope.sender(), helo == null ? "unknown" : helo,
                connection.remoteIp(), settings.hostName(), protocolName(current.envelope.utf8()), current.id,
                current.addresses, deliveredTo, ZonedDateTime.now(services.clock()));
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
        } else if (current.rcptCount == 0) {
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
        if (refusal == null) {
            refusal = loopRefusal(current);
        }
        if (refusal != null) {
            spool.discard();
            return reply(refusal);
        }
        return overQuota(current, current.accounts.keySet(), spool.size()).flatMapMany(over -> {
            if (!over.isEmpty() && over.size() == current.accounts.size() && current.outbound.isEmpty()) {
                spool.discard();
                return reply("552 5.2.2 Mailbox full: the message exceeds the quota of every recipient");
            }
            return write(current, spool, over);
        }).onErrorResume(failure -> {
            spool.discard();
            LOG.warn("quota lookup for message {} failed: {}", current.id, failure.toString());
            return reply("451 4.3.0 Temporary lookup failure, try again later");
        });
    }

    /**
     * True when quotas are enforced and every one of {@code accounts} (at least one) has no room left. Accounts
     * seen without any limit are remembered, so the end of the message need not look them up again.
     */
    private Mono<Boolean> allFull(Transaction current, List<Account> accounts) {
        DeliveryQuotas quotas = services.quotas();
        if (quotas == null || accounts.isEmpty()) {
            return Mono.just(false);
        }
        return Flux.fromIterable(accounts)
                .concatMap(account -> quotas.quota(account.id()).doOnNext(quota -> {
                    if (quota.limitOctets() == null && quota.limitMessages() == null) {
                        current.unlimited.add(account.id());
                    }
                }))
                .all(DeliveryQuotas::full);
    }

    /** The accounts a message of {@code size} octets would take over their quota; empty without quotas. */
    private Mono<Set<Long>> overQuota(Transaction current, Set<Long> accounts, long size) {
        DeliveryQuotas quotas = services.quotas();
        if (quotas == null || accounts.isEmpty()) {
            return Mono.just(Set.of());
        }
        // a list can reach hundreds of accounts: a few lookups at a time, not one after another
        return Flux.fromIterable(List.copyOf(accounts))
                .filter(account -> !current.unlimited.contains(account))
                .flatMap(account -> quotas.quota(account)
                        .filter(quota -> !DeliveryQuotas.fits(quota, size))
                        .map(quota -> account), QUOTA_LOOKUPS)
                .collect(LinkedHashSet::new, Set::add);
    }

    /**
     * Commits the message for the recipients within quota and answers 250 after the commit; the others (in
     * {@code over}) get a failure notification (RFC 3461, unless they asked NOTIFY=NEVER) with the success ones.
     */
    private Flux<Action> write(Transaction current, MessageSpool spool, Set<Long> over) {
        List<Long> accounts = current.accounts.keySet().stream().filter(account -> !over.contains(account))
                .toList();
        List<OutboundRecipient> outbound = List.copyOf(current.outbound.values());
        // The write must not be cancelled by a client that hangs up while it waits for the 250: its batch may
        // already be reading the spool, and other sessions' messages share that transaction. So the write runs on
        // its own subscription, and the spool is freed only when the write is over.
        Instant arrival = services.clock().instant();
        Mono<DeliveryReceipt> write = spool.finish()
                .flatMap(content -> services.deliveries().deliver(
                        new Delivery(content, accounts, arrival, bodyAsReceived(current), outbound)))
                .cache();
        // After the commit, notifications (RFC 3461: successes, and failures of recipients over quota) quote the
        // original from the spool; the spool is freed once they are built, or at once when the write failed or
        // nobody gets one.
        List<RecipientReport> reports = current.reports(over);
        write.flatMap(receipt -> reports.isEmpty() || current.envelope.nullSender() ? Mono.just(false)
                        : services.reports().send(current.envelope, arrival, reports, spool, current.origin))
                .doFinally(signal -> spool.discard())
                .subscribe(sent -> { }, failure -> LOG.warn("delivery notification for message {} not sent: {}",
                        current.id, failure.toString()));
        return write
                .flatMapMany((DeliveryReceipt receipt) -> {
                    errors = 0;
                    return reply("250 2.0.0 OK: message " + current.id + " stored for "
                            + receipt.messages().size() + " local recipient(s)"
                            + (outbound.isEmpty() ? "" : ", queued for " + outbound.size() + " remote"));
                })
                .onErrorResume(failure -> {
                    LOG.warn("delivery of message {} failed: {}", current.id, failure.toString());
                    return reply("451 4.3.0 Message not stored (temporary storage failure), try again later");
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

    /** RFC 5321 §6.3: a message that has gone round too often, or came back to an address that sent it on. */
    private @Nullable String loopRefusal(Transaction current) {
        ContentChecks checks = current.checks;
        if (checks == null) {
            return null;
        }
        // Our own Received field is not in the content: one more hop.
        if (checks.receivedFields() + 1 > settings.maxHops()) {
            return "554 5.4.6 Message refused: too many hops (" + (checks.receivedFields() + 1)
                    + " Received fields), probably a mail loop";
        }
        String looped = checks.deliveredToAnyOf(current.forwardedBy);
        if (looped != null) {
            return "554 5.4.6 Message refused: mail forwarding loop for <" + looped + ">";
        }
        return null;
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
        return sasl.start(auth.mechanism(), auth.initialResponse()).flatMapMany(this::authReply);
    }

    private String mechanisms() {
        return sasl.mechanisms();
    }

    /** RFC 4954 §4 and §6: a 334 challenge, a login, or a refusal counted against the session's limits. */
    private Flux<Action> authReply(SmtpAuthExchange.Reply reply) {
        if (reply instanceof SmtpAuthExchange.Continue next) {
            return reply(next.line());
        }
        if (reply instanceof SmtpAuthExchange.LoggedIn loggedIn) {
            user = loggedIn.account();
            return reply(loggedIn.line());
        }
        SmtpAuthExchange.Refused refused = (SmtpAuthExchange.Refused) reply;
        return switch (refused.count()) {
            case ERROR -> error(refused.line());
            case AUTH_FAILURE -> authFailed(refused.line());
            case NONE -> reply(refused.line());
        };
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

    /** The envelope of the message being received. */
    private static final class Transaction {
        final Envelope envelope;
        /** Whether the sender logged in: what a success report to the envelope sender may quote depends on it. */
        final DeliveryReports.Origin origin;
        /** RCPT commands accepted: the unit of the recipient limit. */
        int rcptCount;
        /** The accounts that receive the message, by id, in RCPT order. */
        final Map<Long, Account> accounts = new LinkedHashMap<>();
        /** Recipients elsewhere, by address: the submitted ones and alias/forwarding targets. */
        final Map<String, OutboundRecipient> outbound = new LinkedHashMap<>();
        /** The RCPT addresses as the client wrote them (trace "for" clause). */
        final List<String> addresses = new ArrayList<>();
        /** Local addresses whose alias or forwarding sent the message elsewhere. */
        final Set<String> forwardedBy = new LinkedHashSet<>();
        /** Recipients that asked for a success notification (RFC 3461 NOTIFY=SUCCESS) and get it from here. */
        final List<RecipientReport> successes = new ArrayList<>();
        /** Accounts whose quota had no limit at RCPT time (a limit set since then applies to the next message). */
        final Set<Long> unlimited = new HashSet<>();
        /** For each local account, the RCPT that reached it first: its address, ORCPT and NOTIFY. */
        final Map<Long, Rcpt> rcptOf = new LinkedHashMap<>();
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

        /**
         * One accepted RCPT and what it expanded to. {@code orcpt} is the ORCPT the client gave (or null), reported
         * as such; {@code onwardOrcpt} goes with copies sent elsewhere, naming the address the client used when it
         * gave none (RFC 3461 §4.2). DSN parameters follow the message to remote targets; with
         * NOTIFY=SUCCESS a recipient delivered here is reported "delivered", and one that expanded to several
         * targets "expanded", its targets then carrying NOTIFY without SUCCESS (RFC 3461 §6.2.7.3). A recipient
         * forwarded one-to-one elsewhere passes its NOTIFY on unchanged, as a relay does.
         */
        void accept(String address, Set<OutboundRecipient.Notify> notify, @Nullable String orcpt,
                    @Nullable String onwardOrcpt, List<Account> local, List<String> remote,
                    List<String> forwarders) {
            rcptCount++;
            addresses.add(address);
            local.forEach(account -> accounts.putIfAbsent(account.id(), account));
            local.forEach(account -> rcptOf.putIfAbsent(account.id(), new Rcpt(address, orcpt, Set.copyOf(notify))));
            boolean success = notify.contains(OutboundRecipient.Notify.SUCCESS);
            // RFC 3461 §6.2.7: an alias of exactly one address is not an expansion; the copy is reported as such.
            boolean expanded = local.size() + remote.size() > 1;
            Set<OutboundRecipient.Notify> passed = notify;
            if (success && expanded) {
                EnumSet<OutboundRecipient.Notify> without = EnumSet.noneOf(OutboundRecipient.Notify.class);
                without.addAll(notify);
                without.remove(OutboundRecipient.Notify.SUCCESS);
                passed = without.isEmpty() ? EnumSet.of(OutboundRecipient.Notify.NEVER) : without;
                successes.add(new RecipientReport(address, orcpt, RecipientReport.Action.EXPANDED, "2.0.0", null,
                        null, null, null));
            } else if (success && !local.isEmpty()) {
                successes.add(RecipientReport.delivered(address, orcpt));
            }
            for (String target : remote) {
                outbound.putIfAbsent(target, new OutboundRecipient(target, passed, onwardOrcpt));
            }
            forwardedBy.addAll(forwarders);
        }

        /**
         * The notifications to send once the message is committed: the success ones, without recipients whose
         * accounts in {@code over} did not get the message, and a failure for each RCPT that reached such an
         * account (RFC 3461 §4.1: unless it asked NOTIFY without FAILURE; no NOTIFY means FAILURE,DELAY).
         */
        List<RecipientReport> reports(Set<Long> over) {
            Set<String> failed = new LinkedHashSet<>();
            List<RecipientReport> reports = new ArrayList<>();
            for (Long account : over) {
                Rcpt rcpt = rcptOf.get(account);
                if (rcpt == null || !failed.add(rcpt.address())) {
                    continue;
                }
                if (rcpt.notifyOn().isEmpty() || rcpt.notifyOn().contains(OutboundRecipient.Notify.FAILURE)) {
                    reports.add(new RecipientReport(rcpt.address(), rcpt.orcpt(), RecipientReport.Action.FAILED,
                            "5.2.2", null, "smtp; 552 5.2.2 Mailbox full: quota exceeded", null, null));
                }
            }
            for (RecipientReport success : successes) {
                if (!failed.contains(success.finalRecipient())) {
                    reports.add(success);
                }
            }
            return reports;
        }
    }

    /** One accepted RCPT as notifications name it. */
    private record Rcpt(String address, @Nullable String orcpt, Set<OutboundRecipient.Notify> notifyOn) { }
}
