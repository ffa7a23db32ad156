package dev.hato.smtp.session;

import dev.hato.protocol.Action;
import dev.hato.smtp.command.SmtpCommand;
import java.util.HashMap;
import java.util.Map;
import reactor.core.publisher.Flux;

/** The dispatch table: which handler answers each kind of command. Built once; immutable afterwards. */
final class SmtpDispatch {

    /** Every SMTP session's table. */
    static final SmtpDispatch TABLE = new SmtpDispatch()
            .on(SmtpCommand.Ehlo.class, HelloHandler::ehlo)
            .on(SmtpCommand.Helo.class, HelloHandler::helo)
            .on(SmtpCommand.Mail.class, new MailHandler())
            .on(SmtpCommand.Rcpt.class, new RcptHandler())
            .on(SmtpCommand.Data.class, new DataHandler())
            .on(SmtpCommand.Bdat.class, new BdatHandler())
            .on(SmtpCommand.Rset.class, new RsetHandler())
            .on(SmtpCommand.Noop.class, new NoopHandler())
            .on(SmtpCommand.Quit.class, new QuitHandler())
            .on(SmtpCommand.Vrfy.class, new VrfyHandler())
            .on(SmtpCommand.Expn.class, new ExpnHandler())
            .on(SmtpCommand.Help.class, new HelpHandler())
            .on(SmtpCommand.StartTls.class, new StartTlsHandler())
            .on(SmtpCommand.Auth.class, (session, auth) -> session.auth().auth(auth))
            .on(SmtpCommand.Invalid.class, (session, invalid) -> session.error(invalid.code() + " "
                    + invalid.enhancedCode() + " " + invalid.text()))
            .on(SmtpCommand.Unknown.class, (session, unknown) -> session.error("500 5.5.2 Command not recognized"));

    private final Map<Class<? extends SmtpCommand>, CommandHandler<?>> handlers = new HashMap<>();

    private SmtpDispatch() { }

    private <C extends SmtpCommand> SmtpDispatch on(Class<C> type, CommandHandler<C> handler) {
        handlers.put(type, handler);
        return this;
    }

    /** Whether a handler answers commands of {@code type}. */
    boolean handles(Class<? extends SmtpCommand> type) {
        return handlers.containsKey(type);
    }

    @SuppressWarnings("unchecked")
    Flux<Action> dispatch(SmtpContext session, SmtpCommand command) {
        CommandHandler<SmtpCommand> handler = (CommandHandler<SmtpCommand>) handlers.get(command.getClass());
        if (handler == null) {
            return session.error("500 5.5.2 Command not recognized");
        }
        return handler.handle(session, command);
    }
}
