package dev.hato.smtp.session;

import dev.hato.protocol.Action;
import dev.hato.smtp.command.SmtpCommand;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import reactor.core.publisher.Flux;

/** STARTTLS (RFC 3207). */
final class StartTlsHandler implements CommandHandler<SmtpCommand.StartTls> {

    @Override
    public Flux<Action> handle(SmtpContext session, SmtpCommand.StartTls command) {
        if (!session.startTlsAvailable()) {
            return session.error(session.tls ? "503 5.5.1 TLS already active" : "502 5.5.1 STARTTLS not available");
        }
        // RFC 3207 §4.2: forget everything learned before TLS; the client starts over with EHLO.
        session.discardTransaction();
        session.state = SmtpState.CONNECTED;
        session.tls = true;
        session.user = null;
        session.lines.reset();
        // Whatever the client pipelined after the command is dropped (the STARTTLS command injection).
        session.input.position(session.input.limit());
        return Flux.<Action>just(new Action.StartTls(ByteBuffer.wrap("220 2.0.0 Ready to start TLS\r\n"
                .getBytes(StandardCharsets.US_ASCII))));
    }
}
