/**
 * IMAP SEARCH, SORT and THREAD for a selected mailbox: RFC 3501 §6.4.4 search keys (with RFC 7162 MODSEQ and RFC
 * 5032 OLDER/YOUNGER), RFC 4731 ESEARCH, RFC 5182 SEARCHRES, RFC 5256 SORT and THREAD (ORDEREDSUBJECT, REFERENCES)
 * and RFC 5957 SORT=DISPLAY.
 *
 * <p>The entry point is {@link dev.hato.imap.search.ImapSearch}: the session hands it a
 * {@link dev.hato.imap.search.SearchContext} (the mailbox as the session sees it: messages in sequence order, which of
 * them are \Recent to it, its saved result) and gets back a {@link dev.hato.imap.search.SearchResult} or a thread
 * forest; {@link dev.hato.imap.search.SearchResponses} renders the untagged responses. Flags, dates, sizes and
 * sequence sets are evaluated here on the message list the session already holds; only text keys and the sort
 * fields go to the store ({@link dev.hato.store.mail.MessageSearch}), which answers them from the facts parsed once per
 * message.
 */
@NullMarked
package dev.hato.imap.search;

import org.jspecify.annotations.NullMarked;
