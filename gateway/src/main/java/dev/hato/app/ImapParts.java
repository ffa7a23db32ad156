package dev.hato.app;

import dev.hato.imap.session.FetchResponder;
import dev.hato.store.Mailboxes;
import dev.hato.store.MessageContent;
import dev.hato.store.MessageFacts;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * What the IMAP listeners need beyond what SMTP and POP3 use: the account's mailboxes, the FETCH renderer and the
 * indexer that parses an APPENDed message once.
 */
record ImapParts(Mailboxes mailboxes, FetchResponder fetch, Function<MessageContent, Mono<MessageFacts>> indexer) { }
