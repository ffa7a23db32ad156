package dev.hato.smtp.session;

import static dev.hato.smtp.session.SmtpContext.reply;

import dev.hato.protocol.Action;
import dev.hato.smtp.command.SmtpCommand;
import dev.hato.smtp.wire.ContentChecks;
import dev.hato.smtp.wire.SmtpDataDecoder;
import dev.hato.store.queue.Envelope;
import reactor.core.publisher.Flux;

/** DATA (RFC 5321 §4.1.1.4): the message follows, dot-stuffed, up to {@code CRLF.CRLF}. */
final class DataHandler implements CommandHandler<SmtpCommand.Data> {

    @Override
    public Flux<Action> handle(SmtpContext session, SmtpCommand.Data command) {
        SmtpState.Greeted greeting = session.greeting();
        Transaction current = session.transaction();
        if (current == null || greeting == null) {
            return session.error("503 5.5.1 Need MAIL before DATA");
        }
        if (current.recipients.count() == 0) {
            return session.error("554 5.5.1 No valid recipients");
        }
        if (current.envelope.body() == Envelope.Body.BINARY_MIME) {
            // RFC 3030 §3: a BINARYMIME message can only be sent with BDAT.
            return session.error("503 5.5.1 BODY=BINARYMIME requires BDAT, not DATA");
        }
        if (current.spool != null) {
            // RFC 3030 §2: DATA and BDAT cannot be mixed in one transaction.
            return session.error("503 5.5.1 DATA cannot follow BDAT in the same transaction");
        }
        session.state = new SmtpState.InData(greeting, current, new SmtpDataDecoder(session.settings.maxMessageSize()));
        return MessageReceiver.start(session, current)
                .thenMany(reply("354 Start mail input; end with <CRLF>.<CRLF>"));
    }

    /** The terminating {@code CRLF.CRLF}: the transaction ends with the message's verdict. */
    static Flux<Action> end(SmtpContext session, SmtpState.InData data) {
        Transaction current = data.transaction();
        SmtpDataDecoder decoder = data.decoder();
        session.state = data.greeting();
        if (current.spool == null) {
            return session.error("503 5.5.1 Bad sequence of commands");
        }
        ContentChecks checks = current.checks;
        return MessageReceiver.finish(session, current, decoder.exceeded(), MessageReceiver.contentRefusal(
                session.settings, decoder.sawNul(), checks != null && checks.headerLineTooLong(),
                decoder.sawBareLineFeedOrCarriageReturn()));
    }
}
