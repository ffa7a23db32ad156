package dev.hato.imap.session;

import dev.hato.imap.search.BadCharsetException;
import dev.hato.imap.search.SearchContext;
import dev.hato.imap.search.SearchResponses;
import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import dev.hato.store.directory.Account;
import java.util.List;
import reactor.core.publisher.Flux;

/**
 * RFC 3501 §6.4.4 SEARCH with RFC 4731 ESEARCH and RFC 5182 SAVE (after ENABLE IMAP4rev2 always answered with ESEARCH,
 * RFC 9051 §6.4.4), and RFC 5256 SORT and THREAD.
 */
final class SearchHandler {

    private final ImapSession session;
    private final ImapServices services;

    SearchHandler(ImapSession session) {
        this.session = session;
        this.services = session.services();
    }

    Flux<Action> search(ImapCommand.Search command) {
        return search(session.user(), session.mailbox(), command);
    }

    Flux<Action> sort(ImapCommand.Sort command) {
        return sort(session.user(), session.mailbox(), command);
    }

    Flux<Action> thread(ImapCommand.Thread command) {
        return thread(session.user(), session.mailbox(), command);
    }

    private SearchContext searchContext(Account user, SelectedMailbox mailbox) {
        return new SearchContext(user.id(), mailbox.id(), mailbox.messagesInView(), mailbox.recentUids(),
                session.savedResult(), services.clock().getZone(), services.clock().instant());
    }

    /** RFC 3501 §6.4.4 with RFC 4731 ESEARCH and RFC 5182 SAVE; no EXPUNGE during a (non-UID) SEARCH. */
    private Flux<Action> search(Account user, SelectedMailbox mailbox, ImapCommand.Search search) {
        String tag = search.tag();
        if (!SearchResponses.knownReturnOptions(search.returnOptions())) {
            return session.bad(tag, "Unknown SEARCH return option");
        }
        if (session.utf8Accept() && search.charset() != null) {
            // RFC 6855 §3: after ENABLE UTF8=ACCEPT a SEARCH with a charset SHOULD be rejected with BAD (the
            // command's strings are UTF-8 now, whatever label it gives).
            return session.bad(tag, "No CHARSET in SEARCH after ENABLE UTF8=ACCEPT (RFC 6855 §3)");
        }
        boolean save = search.returnOptions().contains("SAVE");
        Flux<Action> work = services.search().search(searchContext(user, mailbox), search.key(), search.charset())
                .flatMapMany(result -> {
                    if (result.reportsModSeq()) {
                        session.enableCondStore(); // RFC 7162 §3.1: SEARCH MODSEQ enables CONDSTORE.
                    }
                    SearchResponses.SearchReply reply = SearchResponses.search(search, result, session.imap4rev2());
                    if (reply.saved() != null) {
                        session.saveResult(reply.saved());
                    }
                    return Flux.fromIterable(reply.untagged()).map(text -> (Action) Action.line(text))
                            .concatWith(session.done(tag, "OK SEARCH completed", search.uid()));
                });
        return searchFailures(tag, save, work);
    }

    /** RFC 5256 SORT and UID SORT. */
    private Flux<Action> sort(Account user, SelectedMailbox mailbox, ImapCommand.Sort sort) {
        Flux<Action> work = services.search()
                .sort(searchContext(user, mailbox), sort.criteria(), sort.key(), sort.charset())
                .flatMapMany(result -> Flux.concat(ImapSession.line(SearchResponses.sort(result, sort.uid())),
                        session.done(sort.tag(), "OK SORT completed", sort.uid())));
        return searchFailures(sort.tag(), false, work);
    }

    /** RFC 5256 THREAD and UID THREAD. */
    private Flux<Action> thread(Account user, SelectedMailbox mailbox, ImapCommand.Thread thread) {
        Flux<Action> work = services.search()
                .thread(searchContext(user, mailbox), thread.algorithm(), thread.key(), thread.charset())
                .flatMapMany(threads -> Flux.concat(ImapSession.line(SearchResponses.thread(threads, thread.uid())),
                        session.done(thread.tag(), "OK THREAD completed", thread.uid())));
        return searchFailures(thread.tag(), false, work);
    }

    private Flux<Action> searchFailures(String tag, boolean save, Flux<Action> work) {
        return session.guarded(tag, work.onErrorResume(BadCharsetException.class, failure -> {
            if (save) {
                session.saveResult(List.of()); // RFC 5182 §2.1: a failed SAVE empties the saved result.
            }
            return ImapSession.line(tag + " NO [" + BadCharsetException.RESPONSE_CODE + "] " + failure.getMessage());
        }));
    }
}
