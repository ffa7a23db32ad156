package dev.hato.smtp.session;

import static dev.hato.smtp.session.SmtpContext.reply;

import dev.hato.delivery.MessageSpool;
import dev.hato.protocol.Action;
import dev.hato.smtp.command.SmtpCommand;
import dev.hato.smtp.wire.ContentChecks;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * RFC 3030 BDAT: the next {@code size} octets are message content, whatever the reply; a refused chunk is still
 * read (the client pipelines it) and then refused.
 */
final class BdatHandler implements CommandHandler<SmtpCommand.Bdat> {

    private static final Logger LOG = LoggerFactory.getLogger(BdatHandler.class);

    @Override
    public Flux<Action> handle(SmtpContext session, SmtpCommand.Bdat bdat) {
        Transaction current = session.transaction();
        String refusal = null;
        Flux<Action> start = Flux.empty();
        if (current == null) {
            refusal = "503 5.5.1 Need MAIL before BDAT";
        } else if (current.recipients.count() == 0) {
            refusal = "554 5.5.1 No valid recipients";
        } else if (current.spool == null) {
            current.chunked = true;
            start = MessageReceiver.start(session, current).thenMany(Flux.<Action>empty());
        }
        SmtpState.InBdat chunk = new SmtpState.InBdat(session.state, bdat.size(), bdat.size(), bdat.last(), refusal);
        session.state = chunk;
        return chunk.remaining() == 0 ? start.concatWith(Flux.defer(() -> endOfChunk(session, chunk))) : start;
    }

    /** Reads octets of the chunk from the session's input. */
    static Flux<Action> chunkBytes(SmtpContext session, SmtpState.InBdat chunk) {
        ByteBuffer input = session.input;
        int n = (int) Math.min(chunk.remaining(), input.remaining());
        byte[] bytes = new byte[n];
        input.get(bytes);
        SmtpState.InBdat rest = chunk.less(n);
        session.state = rest;
        Transaction current = session.transaction();
        Flux<Action> stored = Flux.empty();
        if (rest.refusal() == null && current != null) {
            current.chunkedSize += n;
            if (current.chunkedSize > session.settings.maxMessageSize()) {
                current.chunkedExceeded = true;
            } else {
                stored = MessageReceiver.append(session, ByteBuffer.wrap(bytes));
            }
        }
        return rest.remaining() > 0 ? stored : stored.concatWith(Flux.defer(() -> endOfChunk(session, rest)));
    }

    private static Flux<Action> endOfChunk(SmtpContext session, SmtpState.InBdat chunk) {
        if (!session.stopped()) {
            session.state = chunk.outer();
        }
        String refusal = chunk.refusal();
        Transaction current = session.transaction();
        if (refusal != null || current == null) {
            String reply = refusal != null ? refusal : "503 5.5.1 Bad sequence of commands";
            SmtpMailLog.rejected(session, current, "BDAT", reply, null, null);
            return session.error(reply);
        }
        if (!chunk.last()) {
            return reply("250 2.0.0 " + chunk.size() + " octets received");
        }
        SmtpState.Greeted greeting = session.greeting();
        session.state = greeting != null ? greeting : SmtpState.CONNECTED;
        ContentChecks checks = current.checks;
        if (checks == null) {
            return MessageReceiver.finish(session, current, current.chunkedExceeded, null);
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
        return stored.thenMany(Flux.defer(() -> MessageReceiver.finish(session, current, current.chunkedExceeded,
                MessageReceiver.contentRefusal(session.settings, checks.sawNul(), checks.headerLineTooLong(),
                        checks.sawBareLineFeed() || checks.sawBareCarriageReturn()))));
    }
}
