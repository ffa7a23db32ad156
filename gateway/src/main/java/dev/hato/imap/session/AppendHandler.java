package dev.hato.imap.session;

import dev.hato.delivery.MessageSpool;
import dev.hato.imap.wire.ImapCommand;
import dev.hato.message.LimitBreach;
import dev.hato.protocol.Action;
import dev.hato.store.directory.Account;
import dev.hato.store.mail.MailboxException;
import dev.hato.store.mail.Mailboxes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * RFC 3501 §6.3.11 APPEND with RFC 3502 MULTIAPPEND and RFC 4315 APPENDUID, once its messages have been spooled by
 * {@link ImapLiterals}: each message's limits checked, its facts indexed, and all of them stored in one transaction,
 * or none (RFC 3502: "either all messages are successfully appended, or no messages are appended").
 */
final class AppendHandler {

    private final ImapSession session;
    private final ImapServices services;

    AppendHandler(ImapSession session) {
        this.session = session;
        this.services = session.services();
    }

    /**
     * {@code spools} hold the messages in order, one per message of {@code append}, and their facts readers what they
     * found of the messages' MIME limits. Every spool is discarded when the command ends, whatever its outcome.
     */
    Flux<Action> append(ImapCommand.Append append, List<MessageSpool> spools) {
        String tag = append.tag();
        Account user = session.account();
        if (user == null) {
            spools.forEach(MessageSpool::discard);
            return session.bad(tag, "Log in first");
        }
        if (spools.size() != append.messages().size()) {
            // Each message literal was spooled as it came, so only a line the grammar reads otherwise gets here.
            spools.forEach(MessageSpool::discard);
            return session.bad(tag, "APPEND messages do not match their literals");
        }
        String name;
        List<Set<String>> flags = new ArrayList<>();
        try {
            name = MailboxNames.fromWire(append.mailbox(), session.utf8());
            for (ImapCommand.Append.Message message : append.messages()) {
                flags.add(flags(message));
            }
        } catch (MailboxException e) {
            spools.forEach(MessageSpool::discard);
            return ImapSession.refused(tag, e);
        } catch (IllegalArgumentException e) {
            spools.forEach(MessageSpool::discard);
            return session.bad(tag, String.valueOf(e.getMessage()));
        }
        for (int i = 0; i < spools.size(); i++) {
            LimitBreach breach = spools.get(i).breach();
            if (breach != null) {
                // RFC 5530 §3 LIMIT: the message runs into an implementation limit (of what FETCH can serve)
                return refuseAll(tag, spools, i, "[LIMIT] Message refused: " + breach.text());
            }
        }
        for (int i = 0; i < spools.size(); i++) {
            if (!session.utf8() && spools.get(i).eightBitHeader()) {
                // RFC 6855 §4: without ENABLE UTF8=ACCEPT (or IMAP4rev2), an APPEND whose header fields hold an
                // 8-bit octet MUST be refused with NO
                return refuseAll(tag, spools, i, "[CANNOT] 8-bit octets in the header fields need ENABLE UTF8=ACCEPT");
            }
        }
        Instant now = services.clock().instant();
        SelectedMailbox mailbox = session.selected();
        Mono<List<Mailboxes.AppendResult>> stored = Flux.range(0, spools.size())
                .concatMap(i -> spools.get(i).finish().map(content -> {
                    ImapCommand.Append.Message message = append.messages().get(i);
                    return new Mailboxes.NewMessage(content, Objects.requireNonNull(spools.get(i).facts(),
                            "an APPEND spool reads its facts"), flags.get(i),
                            message.internalDate() == null ? now : message.internalDate().toInstant());
                }))
                .collectList()
                .flatMap(messages -> services.mailboxes().find(user.id(), name)
                        .switchIfEmpty(Mono.error(new MailboxException(MailboxException.Reason.NONEXISTENT,
                                "[TRYCREATE] No such mailbox")))
                        .flatMap(info -> services.mailboxes().append(user.id(), info.id(), messages)
                                .doOnNext(results -> ImapMailLog.appended(session, user, info, results,
                                        messages.stream().map(message -> message.content().size()).toList()))));
        Flux<Action> work = stored
                .doFinally(signal -> spools.forEach(MessageSpool::discard))
                .flatMapMany(results -> {
                    boolean here = mailbox != null && session.selected() == mailbox
                            && mailbox.info().name().equals(name);
                    return session.done(tag, "OK [APPENDUID " + results.get(0).uidValidity() + " "
                            + uidSet(results) + "] APPEND completed", true, here);
                });
        return session.guarded(tag, work);
    }

    /** RFC 3502: message {@code index} is refused, so none of them is appended; {@code text} says why. */
    private Flux<Action> refuseAll(String tag, List<MessageSpool> spools, int index, String text) {
        spools.forEach(MessageSpool::discard);
        return session.no(tag, text + (spools.size() > 1
                ? " (message " + (index + 1) + " of " + spools.size() + "; none appended)" : ""));
    }

    /** The flags to store: canonical spellings, \Recent dropped (it is per session). */
    private static Set<String> flags(ImapCommand.Append.Message message) {
        Set<String> flags = new LinkedHashSet<>();
        for (String flag : message.flags()) {
            String canonical = StoreHandler.canonicalFlag(flag);
            if (canonical == null) {
                throw new IllegalArgumentException("Invalid flag " + flag);
            }
            if (!canonical.equals("\\Recent")) {
                flags.add(canonical);
            }
        }
        return flags;
    }

    /**
     * RFC 4315 §3 APPENDUID uid-set, RFC 3502 "as many UIDs as there were messages appended ... in the order the
     * articles where appended": the store gives them consecutive UIDs, so one number or one range.
     */
    private static String uidSet(List<Mailboxes.AppendResult> results) {
        long first = results.get(0).uid();
        long last = results.get(results.size() - 1).uid();
        return first == last ? Long.toString(first) : first + ":" + last;
    }
}
