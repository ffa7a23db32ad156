package dev.hato.smtp.session;

import static dev.hato.smtp.session.SmtpContext.reply;

import dev.hato.delivery.Hops;
import dev.hato.delivery.InboundMessage;
import dev.hato.delivery.MessageSpool;
import dev.hato.delivery.TraceHeaders;
import dev.hato.inbound.InboundAuthenticator;
import dev.hato.inbound.InboundVerdict;
import dev.hato.inbound.SpamFilter;
import dev.hato.inbound.SpamVerdict;
import dev.hato.message.LimitBreach;
import dev.hato.protocol.Action;
import dev.hato.smtp.wire.ContentChecks;
import dev.hato.store.queue.Envelope;
import java.nio.ByteBuffer;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The content of a message, however it arrives (DATA or BDAT): spooled with the trace fields first, checked and
 * repaired as it streams, and at its end refused or handed to the delivery pipeline; a {@code 250} is sent only when
 * the pipeline reports the commit.
 */
final class MessageReceiver {

    private static final Logger LOG = LoggerFactory.getLogger(MessageReceiver.class);
    /** The verdict of a message that inbound authentication does not check (it is disabled): no field, deliver. */
    private static final InboundVerdict UNCHECKED = new InboundVerdict(new byte[0], InboundVerdict.Action.ACCEPT, "");

    private MessageReceiver() { }

    /**
     * Opens the spool with the trace fields first. Its facts reader is the parse that also checks the message against
     * the {@link SmtpSettings#messageLimits()} as it streams, the trace fields (the server's own) not counted.
     */
    static Mono<Void> start(SmtpContext session, Transaction current) {
        SmtpSettings settings = session.settings;
        current.id = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
        current.checks = new ContentChecks(settings.bareLineEndings() == SmtpSettings.BareLineEndings.NORMALIZE,
                current.envelope.body() == Envelope.Body.BINARY_MIME, settings.messageLimits().maxHeaderLine());
        SmtpState.Greeted greeting = session.greeting();
        byte[] trace = TraceHeaders.of(current.envelope.sender(), greeting == null ? "unknown" : greeting.helo(),
                session.connection.remoteIp(), settings.hostName(), session.protocolName(current.envelope.utf8()),
                current.id, current.recipients.addresses(), current.recipients.deliveredTo(),
                ZonedDateTime.now(session.services.clock()));
        InboundAuthenticator inbound = session.services.inbound();
        boolean fromOutside = settings.role() == SmtpSettings.Role.MTA && session.user == null;
        boolean authenticate = inbound != null && fromOutside;
        current.spamChecked = session.services.spam() != null && fromOutside;
        // Fields known only at the end (Authentication-Results, the spam filter's) go in front of the content.
        boolean headed = authenticate || current.spamChecked;
        if (headed) {
            // RFC 5321 §4.4: Return-Path stays the first line, so it goes in front with Authentication-Results at the
            // end (RFC 8601 §5: above the other trace fields), when the checks are done.
            int lineEnd = indexOfCrlf(trace) + 2;
            current.returnPath = Arrays.copyOfRange(trace, 0, lineEnd);
            trace = Arrays.copyOfRange(trace, lineEnd, trace.length);
        }
        MessageSpool spool = new MessageSpool(settings.spoolDirectory(), settings.spoolMemoryLimit(),
                session.services.io(), session.services.facts().reader(settings.messageLimits(), trace.length));
        if (authenticate) {
            current.authentication = inbound.start(session.connection.remoteIp(),
                    greeting == null ? "unknown" : greeting.helo(), current.envelope.sender());
        }
        if (headed) {
            spool.withHead();
        }
        current.spool = spool;
        return spool.append(ByteBuffer.wrap(trace));
    }

    private static int indexOfCrlf(byte[] bytes) {
        for (int i = 0; i + 1 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        throw new IllegalStateException("trace fields without CRLF");
    }

    /** Checks and spools a piece of content of the transaction in progress (none: the bytes are dropped). */
    static Flux<Action> append(SmtpContext session, ByteBuffer bytes) {
        Transaction current = session.transaction();
        if (current == null || current.spool == null || current.failed) {
            return Flux.empty();
        }
        ContentChecks checks = current.checks;
        ByteBuffer content = checks == null ? bytes : checks.apply(bytes);
        if (current.authentication != null) {
            content = current.authentication.update(content);
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

    /** The end of a message (DATA or BDAT LAST): refuse it, or commit it and answer 250 after the commit. */
    static Flux<Action> finish(SmtpContext session, Transaction current, boolean exceeded,
                               @Nullable String refusal) {
        MessageSpool spool = current.spool;
        InboundAuthenticator.Check authentication = current.authentication;
        if (spool != null && authentication != null && !current.failed) {
            // Octets the forged-field filter still holds (a message that ended inside a header field) belong to the
            // message before its shape is judged: the parse ends when it is.
            ByteBuffer rest = authentication.rest();
            if (rest.hasRemaining()) {
                return spool.append(rest)
                        .onErrorResume(failure -> {
                            LOG.error("spooling message failed", failure);
                            current.failed = true;
                            return Mono.empty();
                        })
                        .thenMany(Flux.defer(() -> judge(session, current, exceeded, refusal)));
            }
        }
        return judge(session, current, exceeded, refusal);
    }

    private static Flux<Action> judge(SmtpContext session, Transaction current, boolean exceeded,
                                      @Nullable String refusal) {
        SmtpSettings settings = session.settings;
        MessageSpool spool = current.spool;
        if (spool == null) {
            return session.error("503 5.5.1 Bad sequence of commands");
        }
        if (exceeded) {
            spool.discard();
            return refuse(session, current, "552 5.3.4 Message size exceeds fixed maximum message size of "
                    + settings.maxMessageSize() + " octets");
        }
        if (current.failed) {
            spool.discard();
            return refuse(session, current, "451 4.3.0 Local error while receiving the message, try again later");
        }
        if (refusal == null) {
            refusal = shapeRefusal(spool);
        }
        if (refusal != null) {
            spool.discard();
            return refuse(session, current, refusal);
        }
        InboundAuthenticator.Check authentication = current.authentication;
        if (authentication == null && !current.spamChecked) {
            return deliver(session, current, spool, false);
        }
        Mono<InboundVerdict> authenticated = authentication == null ? Mono.just(UNCHECKED)
                : authentication.finish(current.recipients.addresses());
        return authenticated
                .flatMapMany(verdict -> {
                    if (verdict.action() == InboundVerdict.Action.REJECT
                            || verdict.action() == InboundVerdict.Action.DEFER) {
                        spool.discard();
                        LOG.info("message {} refused by inbound authentication: {}", current.id, verdict.reply());
                        return refuse(session, current, verdict.reply());
                    }
                    return spamCheck(session, current, spool).flatMapMany(spam -> {
                        current.spam = current.spamChecked ? spam.summary() : null;
                        if (spam.action() == SpamVerdict.Action.REJECT || spam.action() == SpamVerdict.Action.DEFER) {
                            spool.discard();
                            LOG.info("message {} refused by the spam filter ({}): {}", current.id, spam.summary(),
                                    spam.reply());
                            return refuse(session, current, spam.reply());
                        }
                        spool.prepend(concat(current.returnPath, verdict.field(), spam.fields()));
                        return deliver(session, current, spool,
                                verdict.action() == InboundVerdict.Action.QUARANTINE
                                        || spam.action() == SpamVerdict.Action.JUNK);
                    });
                })
                .onErrorResume(failure -> {
                    spool.discard();
                    LOG.error("inbound checks of message {} failed", current.id, failure);
                    return refuse(session, current, "451 4.3.0 Local error while receiving the message, try again"
                            + " later");
                });
    }

    /** The spam filter's verdict on the spooled content; an empty one when the message is not for the filter. */
    private static Mono<SpamVerdict> spamCheck(SmtpContext session, Transaction current, MessageSpool spool) {
        SpamFilter filter = session.services.spam();
        if (!current.spamChecked || filter == null) {
            return Mono.just(SpamVerdict.unscanned("not from outside"));
        }
        SmtpState.Greeted greeting = session.greeting();
        return filter.check(new SpamFilter.Request(current.id, session.connection.remoteIp(),
                greeting == null ? "unknown" : greeting.helo(), current.envelope.sender(),
                current.recipients.addresses()), spool.chunks(), spool.size());
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] joined = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, joined, at, part.length);
            at += part.length;
        }
        return joined;
    }

    /** Hands the message to the pipeline; 250 after the commit. */
    private static Flux<Action> deliver(SmtpContext session, Transaction current, MessageSpool spool,
                                        boolean quarantine) {
        ContentChecks checks = current.checks;
        Hops hops = checks == null ? Hops.NONE : new Hops(checks.receivedFields(), checks.deliveredTo());
        SmtpMailLog.received(session, current, spool.size());
        return session.services.delivery().deliver(new InboundMessage(current.id, bodyAsReceived(current),
                        current.origin, spool, current.recipients, hops, quarantine))
                .flatMapMany(result -> {
                    if (!result.accepted()) {
                        return refuse(session, current, result.firstFailure().line());
                    }
                    session.errors = 0;
                    return reply("250 2.0.0 OK: message " + current.id + " stored for " + result.stored()
                            + " local recipient(s)" + (result.queued() == 0 ? "" : ", queued for "
                            + result.queued() + " remote"));
                });
    }

    /** The refusal of a message's content, recorded in the mail log. */
    private static Flux<Action> refuse(SmtpContext session, Transaction current, String reply) {
        SmtpMailLog.rejected(session, current, current.chunked ? "BDAT" : "DATA", reply, null, null);
        return reply(reply);
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
     * 5.6.0 (media error) for a shape. The spool's facts reader found the breach as the message streamed.
     */
    private static @Nullable String shapeRefusal(MessageSpool spool) {
        LimitBreach breach = spool.breach();
        if (breach == null) {
            return null;
        }
        return (breach.kind() == LimitBreach.Kind.HEADER_SIZE ? "552 5.3.4" : "554 5.6.0")
                + " Message refused: " + breach.text();
    }

    /** Content the server will not store, with the reply that says why; null when the message is acceptable. */
    static @Nullable String contentRefusal(SmtpSettings settings, boolean nul, boolean headerLineTooLong,
                                           boolean bareLineEndings) {
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
}
