package dev.hato.imap.session;

import dev.hato.delivery.MessageSpool;
import dev.hato.message.LimitBreach;
import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import dev.hato.store.directory.Account;
import dev.hato.store.mail.MailboxException;
import dev.hato.store.mail.Mailboxes;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * RFC 3501 §6.3.11 APPEND with RFC 4315 APPENDUID, once its message has been spooled by {@link ImapLiterals}: the
 * message's limits checked, its facts indexed, and the message stored.
 */
final class AppendHandler {

    private final ImapSession session;
    private final ImapServices services;

    AppendHandler(ImapSession session) {
        this.session = session;
        this.services = session.services();
    }

    /** {@code spool} holds the message, and its facts reader what it found of the message's MIME limits. */
    Flux<Action> append(ImapCommand.Append append, MessageSpool spool) {
        String tag = append.tag();
        Account user = session.account();
        if (user == null) {
            spool.discard();
            return session.bad(tag, "Log in first");
        }
        String name;
        Set<String> flags = new LinkedHashSet<>();
        try {
            name = MailboxNames.fromWire(append.mailbox(), session.utf8());
            for (String flag : append.flags()) {
                String canonical = StoreHandler.canonicalFlag(flag);
                if (canonical == null) {
                    throw new IllegalArgumentException("Invalid flag " + flag);
                }
                if (!canonical.equals("\\Recent")) {
                    flags.add(canonical);
                }
            }
        } catch (MailboxException e) {
            spool.discard();
            return ImapSession.refused(tag, e);
        } catch (IllegalArgumentException e) {
            spool.discard();
            return session.bad(tag, String.valueOf(e.getMessage()));
        }
        LimitBreach breach = spool.breach();
        if (breach != null) {
            // RFC 5530 §3 LIMIT: the message runs into an implementation limit (of what FETCH can serve).
            spool.discard();
            return session.no(tag, "[LIMIT] Message refused: " + breach.text());
        }
        Instant internalDate = append.internalDate() == null ? services.clock().instant()
                : append.internalDate().toInstant();
        SelectedMailbox mailbox = session.selected();
        Mono<Mailboxes.AppendResult> stored = spool.finish().flatMap(content -> services.mailboxes()
                .find(user.id(), name)
                .switchIfEmpty(Mono.error(new MailboxException(MailboxException.Reason.NONEXISTENT,
                        "[TRYCREATE] No such mailbox")))
                .flatMap(info -> services.mailboxes().append(user.id(), info.id(), content,
                        Objects.requireNonNull(spool.facts(), "an APPEND spool reads its facts"), flags,
                        internalDate)));
        Flux<Action> work = stored
                .doFinally(signal -> spool.discard())
                .flatMapMany(result -> {
                    boolean here = mailbox != null && session.selected() == mailbox
                            && mailbox.info().name().equals(name);
                    // RFC 4315 §3: APPENDUID uidvalidity uid.
                    return session.done(tag, "OK [APPENDUID " + result.uidValidity() + " " + result.uid()
                            + "] APPEND completed", true, here);
                });
        return session.guarded(tag, work);
    }
}
