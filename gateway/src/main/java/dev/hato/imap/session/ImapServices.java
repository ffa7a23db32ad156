package dev.hato.imap.session;

import dev.hato.auth.sasl.SaslEngine;
import dev.hato.delivery.CheckedFactsReader;
import dev.hato.imap.fetch.FetchRenderer;
import dev.hato.imap.search.ImapSearch;
import dev.hato.maillog.MailLog;
import dev.hato.protocol.LoginRoutes;
import dev.hato.store.mail.Mailboxes;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import reactor.core.scheduler.Scheduler;

/**
 * What an IMAP session needs from the rest of Hato. {@code sasl} is the SASL engine SMTP and POP3 use too: it runs
 * AUTHENTICATE and LOGIN through the login throttle and audit log, and the mechanisms it offers are the
 * {@code AUTH=} capabilities. {@code fetch} renders FETCH responses, {@code search} runs SEARCH, SORT and THREAD,
 * {@code facts} gives each APPENDed message the reader that parses it, as its literal is spooled, into the facts kept
 * beside its blob, checking its MIME limits on the way. The clock's zone is the server's time zone for SEARCH dates.
 * {@code io} runs blocking file work (the APPEND spool). Meters are {@code hato.imap.*} with bounded tags.
 * {@code changes} is the node's one {@link MailboxChanges} over {@code mailboxes}: sessions get their mailbox events
 * from it and share the reads and \Recent claims of a change through it. {@code mailLog} records each message an
 * APPEND stored. {@code junkReports} hears of messages moved or copied into or out of Junk (a spam filter learns).
 * {@code logins} says who is still served by an old system, and logs in there for them (issue 17).
 */
public record ImapServices(SaslEngine sasl, Mailboxes mailboxes, MailboxChanges changes,
                           FetchRenderer fetch,
                           ImapSearch search,
                           CheckedFactsReader.Factory facts, Scheduler io, Clock clock,
                           String version, MeterRegistry meters, MailLog mailLog, JunkReports junkReports,
                           LoginRoutes logins) { }
