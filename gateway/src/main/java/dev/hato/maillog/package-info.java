/**
 * The mail log: one structured line per message event (received, delivered, queued, relayed, deferred, bounced,
 * rejected, appended), the record operators read to answer "did my mail arrive?" (as Postfix's maillog). The
 * protocols, the delivery pipeline, the outbound queue and the SMTP listeners (connections refused at the door) report
 * events through the small {@link dev.hato.maillog.MailLog} interface; {@link dev.hato.maillog.MailLogWriter} writes
 * them as text to the SLF4J logger {@code hato.mail} and as JSON lines to a size-rotated file, never blocking the
 * caller. Never message content, never passwords.
 */
@NullMarked
package dev.hato.maillog;

import org.jspecify.annotations.NullMarked;
