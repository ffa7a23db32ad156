package dev.hato.pop3.session;

import dev.hato.message.MessagePart;
import dev.hato.auth.sasl.SaslEngine;
import dev.hato.protocol.LoginRoutes;
import dev.hato.store.mail.Blobs;
import dev.hato.store.mail.KeptUids;
import dev.hato.store.mail.Mailboxes;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Function;

/**
 * What a POP3 session needs from the rest of Hato. {@code sasl} runs AUTH and USER/PASS logins (through the login
 * throttle and audit log); the mechanisms it offers are the ones POP3 advertises. The maildrop is the INBOX of
 * {@code mailboxes} (listed, leased, expunged there); message octets are read from {@code blobs}. {@code handover}
 * is this node's one {@link MaildropHandover}, shared by every POP3 listener. {@code parts} reads where the MIME
 * parts of a message lie from the structure stored with it ({@link Blobs#structure}), so that the header of every
 * part can be downgraded for a client not in UTF-8 mode (RFC 6856); the structure's encoding is the gateway's.
 * {@code meters} counts commands ({@code hato.pop3.commands}) and logins ({@code hato.pop3.logins}). {@code logins}
 * says who is still served by an old system, and logs in there for them (issue 17); {@code uidls} gives the
 * unique-ids an old server gave the messages copied from it, which UIDL keeps.
 */
public record Pop3Services(SaslEngine sasl, Mailboxes mailboxes, Blobs blobs, MaildropHandover handover,
                           Function<byte[], MessagePart> parts, MeterRegistry meters,
                           LoginRoutes logins, KeptUids uidls) { }
