package dev.hato.imap.session;

import dev.hato.auth.Authenticator;
import dev.hato.auth.scram.ScramMechanism;
import dev.hato.imap.fetch.FetchRenderer;
import dev.hato.imap.search.ImapSearch;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessageContent;
import dev.hato.store.mail.MessageFacts;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * What an IMAP session needs from the rest of Hato. {@code authenticator} is the guarded one (login throttle, audit
 * log) that SMTP and POP3 use; {@code tokens} verifies bearer tokens (OAUTHBEARER, XOAUTH2) and is null when no token
 * issuer is configured; {@code scram} runs SCRAM-SHA-256 exchanges, null leaves it unoffered. {@code fetch} renders
 * FETCH responses, {@code search} runs SEARCH, SORT and THREAD, {@code indexer} parses an APPENDed message once into
 * the facts kept beside its blob. The clock's zone is the server's time zone for SEARCH dates.
 * {@code io} runs blocking file work (the APPEND spool). Meters are {@code hato.imap.*} with bounded tags.
 * {@code changes} is the node's one {@link MailboxChanges} over {@code mailboxes}: sessions get their mailbox events
 * from it and share the reads and \Recent claims of a change through it.
 */
public record ImapServices(Authenticator authenticator, @Nullable Authenticator tokens,
                           @Nullable ScramMechanism scram, Mailboxes mailboxes, MailboxChanges changes,
                           FetchRenderer fetch,
                           ImapSearch search,
                           Function<MessageContent, Mono<MessageFacts>> indexer, Scheduler io, Clock clock,
                           String version, MeterRegistry meters) { }
