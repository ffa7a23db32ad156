package dev.hato.smtp.session;

import dev.hato.protocol.Action;
import dev.hato.protocol.ConnectionInfo;
import dev.hato.protocol.Conversation;
import dev.hato.protocol.ProtocolSession;
import dev.hato.protocol.TlsParameters;
import dev.hato.protocol.wire.Decoded;
import dev.hato.smtp.command.SmtpCommand;
import dev.hato.smtp.command.SmtpCommandParser;
import dev.hato.smtp.wire.SmtpDataDecoder;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * One SMTP connection (RFC 5321), MTA or submission role. Input is decoded one frame at a time: command lines, SASL
 * continuation lines while an AUTH exchange runs, and message content while DATA or a BDAT chunk runs. Each command
 * goes to its handler through {@link SmtpDispatch}; where the conversation stands is one {@link SmtpState}. A
 * {@code 250} after DATA is sent only when the delivery pipeline reports the commit for every accepted recipient.
 */
public final class SmtpSession implements ProtocolSession {

    private final SmtpContext session;
    private final SmtpCommandParser parser = new SmtpCommandParser();

    public SmtpSession(SmtpSettings settings, ConnectionInfo connection, SmtpServices services) {
        this.session = new SmtpContext(settings, connection, services);
    }

    @Override
    public Flux<Action> open() {
        return SmtpContext.reply("220 " + session.settings.hostName() + " ESMTP Hato ready");
    }

    @Override
    public Flux<Action> receive(ByteBuffer bytes) {
        session.input = bytes;
        return Conversation.steps(this::step);
    }

    @Override
    public boolean authenticated() {
        return session.user != null;
    }

    /**
     * Inside a message: in DATA, or between the chunks of a BDAT transaction. The edge's session deadline waits for
     * its end (the data timeout still bounds a transfer that stalls), so a message is never cut off in the middle.
     */
    @Override
    public boolean busy() {
        SmtpState state = session.state;
        Transaction current = session.transaction();
        return state instanceof SmtpState.InData || readingChunk(state) || (current != null && current.spool != null);
    }

    @Override
    public Duration idleTimeout() {
        SmtpState state = session.state;
        return state instanceof SmtpState.InData || readingChunk(state) ? session.settings.dataTimeout()
                : session.settings.idleTimeout();
    }

    private static boolean readingChunk(SmtpState state) {
        return state instanceof SmtpState.InBdat chunk && chunk.remaining() > 0;
    }

    @Override
    public Flux<Action> idle() {
        session.stop();
        return Flux.<Action>just(Action.line("421 4.4.2 " + session.settings.hostName()
                + " Error: timeout exceeded"), Action.close());
    }

    @Override
    public Flux<Action> shutdown() {
        session.stop();
        // RFC 5321 §3.8: 421 tells the client to try again later; nothing unacknowledged was kept.
        return Flux.just(Action.line("421 4.3.2 " + session.settings.hostName() + " Service shutting down"),
                Action.close());
    }

    @Override
    public void tlsEstablished(TlsParameters tls) {
        session.tlsParameters = tls;
    }

    @Override
    public void closed() {
        session.stop();
        session.auth().abandon(); // a client that goes away in the middle of a SCRAM exchange has failed a login
    }

    private @Nullable Flux<Action> step() {
        SmtpState state = session.state;
        if (state instanceof SmtpState.Closed) {
            return null;
        }
        ByteBuffer input = session.input;
        if (state instanceof SmtpState.InBdat chunk && chunk.remaining() > 0) {
            return input.hasRemaining() ? BdatHandler.chunkBytes(session, chunk) : null;
        }
        SmtpDataDecoder content = state instanceof SmtpState.InData data ? data.decoder() : null;
        Decoded decoded = content != null ? content.next(input) : session.lines.next(input);
        if (decoded instanceof Decoded.NeedMore) {
            return null;
        }
        if (decoded instanceof Decoded.Chunk chunk) {
            return MessageReceiver.append(session, chunk.bytes());
        }
        if (decoded instanceof Decoded.End) {
            return DataHandler.end(session, (SmtpState.InData) state);
        }
        if (decoded instanceof Decoded.Failure && session.auth().inExchange()) {
            return session.auth().responseTooLong();
        }
        if (decoded instanceof Decoded.Failure failure) {
            return session.error("500 5.5.2 Line too long (" + failure.detail() + ")");
        }
        Decoded.Line line = (Decoded.Line) decoded;
        if (session.auth().inExchange()) {
            return session.auth().saslResponse(line.text());
        }
        // The octets, not the text: a path that is not UTF-8 is refused, not read with U+FFFD (RFC 6531 §3.3).
        return command(parser.parse(line.bytes()));
    }

    private Flux<Action> command(SmtpCommand command) {
        // On the submission ports nothing but AUTH leads anywhere before authentication; a client that keeps
        // talking without it is probing, not submitting.
        if (session.settings.role() == SmtpSettings.Role.SUBMISSION && session.user == null
                && ++session.commandsBeforeAuth > session.settings.maxCommandsBeforeAuth()) {
            session.stop();
            return Flux.just(Action.line("421 4.7.0 " + session.settings.hostName()
                    + " Too many commands without authentication"), Action.close());
        }
        return SmtpMailLog.watch(session, command, SmtpDispatch.TABLE.dispatch(session, command));
    }
}
