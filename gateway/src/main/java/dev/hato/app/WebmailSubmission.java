package dev.hato.app;

import dev.hato.delivery.AcceptedRecipients;
import dev.hato.delivery.Admission;
import dev.hato.delivery.Hops;
import dev.hato.delivery.InboundMessage;
import dev.hato.delivery.MessageSpool;
import dev.hato.delivery.RecipientRequest;
import dev.hato.dsn.DeliveryReports;
import dev.hato.smtp.session.SmtpServices;
import dev.hato.smtp.session.SmtpSettings;
import dev.hato.store.directory.Account;
import dev.hato.store.directory.Directory;
import dev.hato.store.mail.MailboxException;
import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.queue.Envelope;
import dev.hato.web.compose.MailSubmission;
import dev.hato.web.login.WebUser;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Webmail's sending, as SMTP submission sends: the person's account and client address count against the same
 * sending limits ({@code hato.smtp.send-limits.*}), every recipient is admitted by the delivery pipeline (which may
 * relay: the sender logged in), the message is spooled (memory, then disk) with its facts read as it streams in,
 * a copy is stored in the person's Sent folder (made, with {@code \Sent}, if there is none), and the pipeline stores
 * it for local recipients and queues it for the others (the outbound queue signs it with DKIM) in one commit. All or
 * nothing: a recipient refused, a limit reached or the store failing sends nothing, and the Sent copy is removed.
 */
final class WebmailSubmission implements MailSubmission {

    private static final Logger LOG = LoggerFactory.getLogger(WebmailSubmission.class);
    private static final DateTimeFormatter DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT);
    static final String SENT = "\\Sent";
    static final String DRAFTS = "\\Drafts";

    private final SmtpServices services;
    private final SmtpSettings settings;
    private final Directory directory;
    private final Mailboxes mailboxes;

    WebmailSubmission(SmtpServices services, SmtpSettings settings, Directory directory, Mailboxes mailboxes) {
        this.services = services;
        this.settings = settings;
        this.directory = directory;
        this.mailboxes = mailboxes;
    }

    @Override
    public long maxMessageSize() {
        return settings.maxMessageSize();
    }

    @Override
    public Mono<Result> submit(WebUser sender, String clientAddress, List<String> recipients,
                               Flux<ByteBuffer> message) {
        return directory.findByAuthId(sender.authId())
                .filter(account -> account.id() == sender.accountId())
                .flatMap(account -> submit(account, clientAddress, recipients, message))
                .switchIfEmpty(Mono.fromSupplier(() -> new Refused("Your account is not available.", false)))
                .onErrorResume(failure -> {
                    LOG.error("webmail submission of {} failed", sender.authId(), failure);
                    return Mono.just(new Refused("The message could not be sent now; try again later.", true));
                });
    }

    private Mono<Result> submit(Account account, String client, List<String> recipients, Flux<ByteBuffer> message) {
        String limited = services.sendLimits().message(account, client);
        if (limited != null) {
            return Mono.just(new Refused(text(limited), true));
        }
        String id = HexFormat.of().formatHex(longBytes(ThreadLocalRandom.current().nextLong())).substring(0, 12)
                .toUpperCase(Locale.ROOT);
        AcceptedRecipients accepted = new AcceptedRecipients();
        return Flux.fromIterable(recipients)
                .concatMap(address -> admit(account, client, accepted, address))
                .collectList()
                .flatMap(refusals -> {
                    List<String> refused = refusals.stream().filter(r -> !r.isEmpty()).toList();
                    if (!refused.isEmpty()) {
                        return Mono.just(new Refused(String.join("; ", refused), false));
                    }
                    return spool(account, client, id, recipients, message).flatMap(spooled ->
                            sentCopy(account, spooled.spool()).flatMap(copy -> deliver(account, id, spooled,
                                    accepted, copy)));
                });
    }

    /** Empty when admitted, else the reason. */
    private Mono<String> admit(Account account, String client, AcceptedRecipients accepted, String address) {
        String limited = services.sendLimits().recipient(account, client);
        if (limited != null) {
            return Mono.just(text(limited));
        }
        return services.delivery().admit(accepted, new RecipientRequest(address, Set.of(), null, false, true))
                .map(admission -> {
                    if (admission instanceof Admission.Admitted) {
                        return "";
                    }
                    services.sendLimits().returnRecipient(account, client);
                    return admission instanceof Admission.Refused refused
                            ? address + ": " + refused.reply().text()
                            : address + ": no such recipient here";
                });
    }

    /** A finished spool, and whether the message has 8-bit octets (its envelope says so, RFC 6152). */
    private record Spooled(MessageSpool spool, boolean eightBit) { }

    /** The message, behind a Received field of its own (RFC 5321 §4.4), spooled with its facts. */
    private Mono<Spooled> spool(Account account, String client, String id, List<String> recipients,
                                     Flux<ByteBuffer> message) {
        byte[] trace = ("Received: from [" + client + "] by " + settings.hostName() + " (Hato webmail)\r\n"
                + "\twith HTTPS id " + id + (recipients.size() == 1 ? "\r\n\tfor <" + recipients.get(0) + ">" : "")
                + "; " + DATE.format(ZonedDateTime.now(services.clock())) + "\r\n").getBytes(StandardCharsets.UTF_8);
        MessageSpool spool = new MessageSpool(settings.spoolDirectory(), settings.spoolMemoryLimit(), services.io(),
                services.facts().reader(settings.messageLimits(), trace.length));
        boolean[] eightBit = {false};
        return spool.append(ByteBuffer.wrap(trace))
                .thenMany(message.concatMap(chunk -> {
                    byte[] copy = copy(chunk);
                    for (byte b : copy) {
                        eightBit[0] |= b < 0;
                    }
                    return spool.append(ByteBuffer.wrap(copy));
                }))
                .then(Mono.defer(spool::finish))
                .then(Mono.fromSupplier(() -> new Spooled(spool, eightBit[0])))
                .onErrorResume(failure -> {
                    spool.discard();
                    return Mono.error(failure);
                });
    }

    /** A read copy in Sent, before anything is sent: its UID, or -1 when it could not be stored (sending goes on). */
    private Mono<long[]> sentCopy(Account account, MessageSpool spool) {
        return specialFolder(account.id(), SENT, "Sent")
                .flatMap(sent -> mailboxes.append(account.id(), sent.id(), spool,
                                java.util.Objects.requireNonNull(spool.facts(), "facts"), Set.of("\\Seen"),
                                java.time.Instant.now(services.clock()))
                        .map(appended -> new long[] {sent.id(), appended.uid()}))
                .onErrorResume(MailboxException.class, e -> {
                    LOG.warn("no Sent copy for {}: {}", account.authId(), e.getMessage());
                    return Mono.just(new long[] {-1, -1});
                });
    }

    private Mono<Result> deliver(Account account, String id, Spooled spooled, AcceptedRecipients accepted,
                                 long[] copy) {
        Envelope envelope = new Envelope(account.address(), null, null, false,
                spooled.eightBit() ? Envelope.Body.EIGHT_BIT_MIME : Envelope.Body.SEVEN_BIT);
        return services.delivery().deliver(new InboundMessage(id, envelope, DeliveryReports.Origin.AUTHENTICATED,
                        spooled.spool(), accepted, Hops.NONE))
                .flatMap(result -> {
                    if (result.accepted()) {
                        LOG.info("webmail message {} from {} stored for {} and queued for {}", id,
                                account.authId(), result.stored(), result.queued());
                        return Mono.<Result>just(new Sent(accepted.count()));
                    }
                    Mono<Void> undo = copy[0] < 0 ? Mono.empty()
                            : mailboxes.expunge(account.id(), copy[0], List.of(copy[1]));
                    return undo.thenReturn(new Refused(text(result.firstFailure().line()),
                            result.firstFailure().temporary()));
                });
    }

    @Override
    public Mono<Long> saveDraft(WebUser sender, Flux<ByteBuffer> message, @Nullable Long replacing) {
        MessageSpool spool = new MessageSpool(settings.spoolDirectory(), settings.spoolMemoryLimit(), services.io(),
                services.facts().reader(settings.messageLimits(), 0));
        return specialFolder(sender.accountId(), DRAFTS, "Drafts")
                .flatMap(drafts -> message.concatMap(chunk -> spool.append(ByteBuffer.wrap(copy(chunk))))
                        .then(Mono.defer(spool::finish))
                        .then(Mono.defer(() -> mailboxes.append(sender.accountId(), drafts.id(), spool,
                                java.util.Objects.requireNonNull(spool.facts(), "facts"), Set.of("\\Draft", "\\Seen"),
                                java.time.Instant.now(services.clock()))))
                        .flatMap(appended -> (replacing == null || replacing == appended.uid() ? Mono.<Void>empty()
                                : mailboxes.expunge(sender.accountId(), drafts.id(), List.of(replacing)))
                                .thenReturn(appended.uid())))
                .doFinally(signal -> spool.discard());
    }

    @Override
    public Mono<Void> discardDraft(WebUser sender, long uid) {
        return specialFolder(sender.accountId(), DRAFTS, "Drafts")
                .flatMap(drafts -> mailboxes.message(sender.accountId(), drafts.id(), uid)
                        .filter(meta -> meta.flags().contains("\\Draft"))
                        .flatMap(meta -> mailboxes.expunge(sender.accountId(), drafts.id(), List.of(uid))));
    }

    /**
     * The folder marked with the special use {@code use} (RFC 6154), else the one named {@code name}, else a new one
     * so named and marked.
     */
    private Mono<MailboxInfo> specialFolder(long accountId, String use, String name) {
        return mailboxes.list(accountId)
                .filter(box -> use.equals(box.specialUse()))
                .next()
                .switchIfEmpty(Mono.defer(() -> mailboxes.find(accountId, name)))
                .switchIfEmpty(Mono.defer(() -> mailboxes.create(accountId, name, use)));
    }

    /** A chunk's octets in an array of their own: the spool may keep what it is given, the caller's buffer not. */
    private static byte[] copy(ByteBuffer chunk) {
        byte[] copy = new byte[chunk.remaining()];
        chunk.duplicate().get(copy);
        return copy;
    }

    /** An SMTP reply line without its codes, for people. */
    static String text(String reply) {
        String text = reply.replaceFirst("^\\d{3}[ -]", "").replaceFirst("^\\d\\.\\d{1,3}\\.\\d{1,3} ", "");
        return text.isBlank() ? reply : text;
    }

    private static byte[] longBytes(long value) {
        byte[] bytes = new byte[8];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (value >>> (56 - 8 * i));
        }
        return bytes;
    }
}
