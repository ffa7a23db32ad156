package dev.hato.migration;

import dev.hato.delivery.MessageSpool;
import dev.hato.imap.fetch.MessageIndexer;
import dev.hato.store.legacy.LegacyBackend;
import dev.hato.store.mail.Blobs;
import dev.hato.store.mail.KeptUids;
import dev.hato.store.mail.MailboxException;
import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessageContent;
import dev.hato.store.mail.MessageFacts;
import dev.hato.store.mail.MessageMeta;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;

/**
 * Copies one person's mailboxes from the old IMAP server into Hato (issue 17), keeping what clients remember: each
 * folder's UIDVALIDITY and every message's UID, with its flags, keywords and internal date, the folder tree (names
 * in modified UTF-7 decoded, special folders mapped as {@link SpecialUseNames} maps them) and the subscriptions.
 *
 * <p>One pass copies what the old folder holds from the Hato folder's next UID on, so a pass after an interrupted
 * one, or a later pass while the person still uses the old system, copies only what is new: messages are stored in
 * batches of at most {@value MailImport#BATCH_MESSAGES} messages or {@value MailImport#BATCH_OCTETS} octets, each
 * batch one transaction with the old UIDs, and nothing is stored twice. Afterwards the Hato folder's next UID is at
 * least the old UIDNEXT, so mail delivered to Hato later gets UIDs the old server never gave. A Hato folder that
 * already held messages under another UIDVALIDITY is not touched (its UIDs cannot be the old ones): reported.
 *
 * <p>Messages are parsed once, as every stored message is, with the limits of an IMAP APPEND. Blocking: for the
 * command line.
 */
public final class ImapCopy {

    private final Mailboxes mailboxes;
    private final KeptUids kept;
    private final MessageIndexer indexer;
    private final Scheduler io;
    private final MailImport.Settings settings;
    private final Clock clock;
    private final long bytesPerSecond;
    /** Told how many messages each batch stored (a command's progress); nothing by default. */
    private volatile java.util.function.IntConsumer stored = count -> { };

    /** {@code bytesPerSecond} above 0: what each connection to an old IMAP server reads, at most, on average. */
    public ImapCopy(Mailboxes mailboxes, KeptUids kept, MessageIndexer indexer, Scheduler io,
                    MailImport.Settings settings, Clock clock, long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
        this.mailboxes = mailboxes;
        this.kept = kept;
        this.indexer = indexer;
        this.io = io;
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * This copier reading at most {@code rate} octets per second on each connection (0: no limit), or at its own
     * limit when that is lower: for an old system with a throttle of its own. The same listener.
     */
    public ImapCopy throttled(long rate) {
        long lower = rate <= 0 ? bytesPerSecond : bytesPerSecond <= 0 ? rate : Math.min(rate, bytesPerSecond);
        return lower == bytesPerSecond ? this
                : new ImapCopy(mailboxes, kept, indexer, io, settings, clock, lower).onStored(stored);
    }

    /** {@code listener} is told how many messages each batch stores, from the copying threads. */
    public ImapCopy onStored(java.util.function.IntConsumer listener) {
        this.stored = listener;
        return this;
    }

    /** How to log in on the old IMAP server: {@code authzid} acting through {@code authcid} (a master user), or not. */
    public record Login(String authzid, String authcid, String password) { }

    /**
     * One pass over every folder of the person's old mailbox on {@code server}; with the old system's {@code pop3}
     * server, the POP3 unique-ids of the INBOX messages copied are kept too. With {@code mirror} (while the old
     * server alone holds the person's mail: their route names it), flag changes and expunges there since the
     * messages were copied are brought over as well.
     */
    public ImportReport copy(long accountId, LegacyBackend.Server server, LegacyBackend.@Nullable Server pop3,
                             SSLContext trust, Duration timeout, Login login, byte @Nullable [] startNotice,
                             boolean mirror) throws IOException {
        try (ImapSource source = open(server, trust, timeout, login)) {
            List<ImapSource.Folder> folders = source.list();
            ImapSource.Folder inbox = folders.stream().filter(f -> f.name().equals("INBOX")).findFirst()
                    .orElse(null);
            if (startNotice != null) {
                // where the person reads their mail now: the old INBOX (this pass copies it to Hato as well)
                if (inbox == null) {
                    throw new IOException("the old server lists no INBOX");
                }
                source.append(inbox, Set.of(), clock.instant(), startNotice.length, out -> out.write(startNotice));
            }
            ImportReport report = copy(accountId, source, folders, mirror);
            if (pop3 != null && inbox != null) {
                keepUidls(accountId, source, inbox, pop3, trust, timeout, login, report);
            }
            return report;
        }
    }

    /**
     * The old POP3 server's unique-ids of the INBOX, matched to the IMAP UIDs by position: both number the same
     * messages in the same order (as Dovecot and Courier do), which is checked message by message with the sizes;
     * when the two views differ, no unique-id is kept and the INBOX's report says why.
     */
    private void keepUidls(long accountId, ImapSource source, ImapSource.Folder inbox, LegacyBackend.Server pop3,
                           SSLContext trust, Duration timeout, Login login, ImportReport report) throws IOException {
        MailboxInfo target = mailboxes.find(accountId, "INBOX").block();
        if (target == null) {
            return;
        }
        List<long[]> imap = source.uidsAndSizes(inbox);
        List<Pop3Source.Entry> listed;
        try (Pop3Source old = Pop3Source.connect(pop3.host(), pop3.port(), pop3.tls() == LegacyBackend.Tls.IMPLICIT,
                pop3.tls() == LegacyBackend.Tls.STARTTLS, trust, timeout, login.authzid(), login.authcid(),
                login.password())) {
            listed = old.listing();
        }
        String mismatch = null;
        if (listed.size() != imap.size()) {
            mismatch = "POP3 lists " + listed.size() + " messages, IMAP " + imap.size();
        }
        Map<Long, String> uidls = new LinkedHashMap<>();
        for (int i = 0; mismatch == null && i < listed.size(); i++) {
            if (listed.get(i).size() != imap.get(i)[1]) {
                mismatch = "message " + (i + 1) + " has " + listed.get(i).size() + " octets in POP3, "
                        + imap.get(i)[1] + " in IMAP";
            } else if (listed.get(i).uidl().matches("[!-~]{1,70}")) { // RFC 1939 §7; else Hato's own
                uidls.put(imap.get(i)[0], listed.get(i).uidl());
            }
        }
        if (mismatch != null) {
            report.folder("INBOX (POP3)", "INBOX").refuse("POP3 UIDL", "unique-ids not kept: the old server's POP3"
                    + " and IMAP views of INBOX differ (" + mismatch + ")");
            return;
        }
        kept.keepUidls(accountId, target.id(), uidls).block();
    }

    /** One pass over {@code folders}, the old server's LIST. */
    private ImportReport copy(long accountId, ImapSource source, List<ImapSource.Folder> folders, boolean mirror)
            throws IOException {
        SpecialUseNames names = new SpecialUseNames(mailboxes.list(accountId).collectList().block());
        ImportReport report = new ImportReport();
        for (ImapSource.Folder folder : folders) {
            if (!folder.selectable()) {
                continue;
            }
            String target = names.target(folder.name());
            new FolderCopy(accountId, target, names.specialUseToCreate(folder.name()),
                    report.folder(folder.name(), target)).run(source, folder, mirror);
        }
        for (String name : source.subscribed()) {
            try {
                mailboxes.subscribe(accountId, names.target(name), true).block();
                report.subscribed();
            } catch (MailboxException notAName) {
                // a name Hato cannot have: its folder was refused already
            }
        }
        return report;
    }

    private ImapSource open(LegacyBackend.Server server, SSLContext trust, Duration timeout, Login login)
            throws IOException {
        return ImapSource.connect(server.host(), server.port(), server.tls() == LegacyBackend.Tls.IMPLICIT,
                server.tls() == LegacyBackend.Tls.STARTTLS, trust, timeout, login.authzid(), login.authcid(),
                login.password(), bytesPerSecond);
    }

    /** Delivers {@code message} (a notice) into the person's INBOX in Hato, unread, parsed as any message is. */
    public void deliver(long accountId, byte[] message) {
        MessageSpool spool = MailImport.spool(settings, io, indexer);
        try {
            spool.append(ByteBuffer.wrap(message)).block();
            MessageContent content = Objects.requireNonNull(spool.finish().block(), "finished spool");
            MessageFacts facts = Objects.requireNonNull(spool.facts(), "the spool reads facts");
            MailboxInfo inbox = Objects.requireNonNull(mailboxes.find(accountId, "INBOX").block(), "INBOX");
            mailboxes.append(accountId, inbox.id(), List.of(new Mailboxes.NewMessage(content, facts, Set.of(),
                    clock.instant()))).block();
        } finally {
            spool.discard();
        }
    }

    /**
     * Copies back to the old server what arrived in Hato since the person's mail was taken over (a rollback, the
     * seed's "mail0915" case without anyone moving mail by hand): in each folder that the old server has too, the
     * messages whose UIDs are at or above the old folder's UIDNEXT, appended there with their flags and internal
     * date. A message whose Message-ID the old folder already holds is skipped, so running it again appends
     * nothing twice.
     */
    public ImportReport copyBack(long accountId, LegacyBackend.Server server, SSLContext trust, Duration timeout,
                                 Login login, Blobs blobs) throws IOException {
        try (ImapSource source = open(server, trust, timeout, login)) {
            SpecialUseNames names = new SpecialUseNames(mailboxes.list(accountId).collectList().block());
            Map<String, ImapSource.Folder> old = new LinkedHashMap<>();
            for (ImapSource.Folder folder : source.list()) {
                if (folder.selectable()) {
                    old.putIfAbsent(names.target(folder.name()), folder);
                }
            }
            ImportReport report = new ImportReport();
            for (MailboxInfo box : mailboxes.list(accountId).collectList().block()) {
                ImapSource.Folder folder = old.get(box.name());
                if (folder == null) {
                    continue; // a folder made in Hato: nothing the old server knew
                }
                long from = source.examine(folder).uidNext();
                List<MessageMeta> arrived = mailboxes.messages(accountId, box.id())
                        .filter(message -> message.uid() >= from).collectList().block();
                appendAbsent(source, folder, arrived, blobs, report.folder(box.name(), folder.name()), message -> {
                    String messageId = messageId(blobs, message.blobId());
                    return messageId != null && source.holds(messageId);
                });
            }
            return report;
        }
    }

    /**
     * Verifies a person's copy: in every folder of the old server, each message must be in Hato's folder under the
     * same UID with the same octets (SHA-256 of what the old server sends, against the digest Hato keeps of what it
     * stored). The report has per folder the messages found on the old server, those verified, and each one missing
     * or different, by UID.
     */
    public ImportReport verify(long accountId, LegacyBackend.Server server, SSLContext trust, Duration timeout,
                               Login login, Blobs blobs) throws IOException {
        try (ImapSource source = open(server, trust, timeout, login)) {
            SpecialUseNames names = new SpecialUseNames(mailboxes.list(accountId).collectList().block());
            ImportReport report = new ImportReport();
            for (ImapSource.Folder folder : source.list()) {
                if (!folder.selectable()) {
                    continue;
                }
                String target = names.target(folder.name());
                ImportReport.Folder counts = report.folder(folder.name(), target);
                Map<Long, byte[]> old = source.digests(folder);
                MailboxInfo box = mailboxes.find(accountId, target).block();
                Map<Long, Long> blobOf = new HashMap<>();
                if (box != null) {
                    for (MessageMeta message : mailboxes.messages(accountId, box.id()).collectList().block()) {
                        blobOf.put(message.uid(), message.blobId());
                    }
                }
                Map<Long, byte[]> stored = blobOf.isEmpty() ? Map.of()
                        : blobs.digests(new HashSet<>(blobOf.values())).block();
                old.forEach((uid, digest) -> {
                    counts.countFound();
                    Long blob = blobOf.get(uid);
                    byte[] kept = blob == null ? null : stored.get(blob);
                    if (kept == null) {
                        counts.refuse("UID " + uid, "missing in Hato");
                    } else if (!MessageDigest.isEqual(kept, digest)) {
                        counts.refuse("UID " + uid, "differs: SHA-256 " + HexFormat.of().formatHex(digest)
                                + " there, " + HexFormat.of().formatHex(kept) + " in Hato");
                    } else {
                        counts.countImported(1);
                    }
                });
            }
            return report;
        }
    }

    /**
     * Copies to the old server what arrived in Hato in a time window (the seed's "mail0915xxxx" case, without anyone
     * moving mail by hand): every message of the person's folders whose internal date is at or after {@code since}
     * and before {@code until} (null: now), appended with its flags and date into {@code folder} on the old server
     * (Hato's form; created when missing), or into the folder of the same name when {@code folder} is null. A
     * message whose octets the target folder holds already (the same SHA-256) is skipped, so running it again
     * appends nothing twice.
     */
    public ImportReport copyBack(long accountId, LegacyBackend.Server server, SSLContext trust, Duration timeout,
                                 Login login, Blobs blobs, Instant since, @Nullable Instant until,
                                 @Nullable String folder) throws IOException {
        try (ImapSource source = open(server, trust, timeout, login)) {
            List<ImapSource.Folder> listed = source.list();
            SpecialUseNames names = new SpecialUseNames(mailboxes.list(accountId).collectList().block());
            @Nullable String delimiter = listed.stream().map(ImapSource.Folder::delimiter)
                    .filter(Objects::nonNull).findFirst().orElse(null);
            Map<String, ImapSource.Folder> old = new LinkedHashMap<>();
            for (ImapSource.Folder each : listed) {
                old.putIfAbsent(folder != null ? each.name() : names.target(each.name()), each);
            }
            ImportReport report = new ImportReport();
            Map<String, Set<String>> held = new HashMap<>();
            for (MailboxInfo box : mailboxes.list(accountId).collectList().block()) {
                String targetName = folder != null ? folder : box.name();
                List<MessageMeta> window = mailboxes.messages(accountId, box.id()).collectList().block().stream()
                        .filter(m -> !m.internalDate().isBefore(since)
                                && (until == null || m.internalDate().isBefore(until))).toList();
                if (window.isEmpty()) {
                    continue;
                }
                ImapSource.Folder target = old.get(targetName);
                if (target == null) {
                    target = source.create(targetName, delimiter);
                    old.put(targetName, target);
                }
                ImapSource.Folder into = target;
                Set<String> there = held.computeIfAbsent(targetName, name -> {
                    try {
                        Set<String> digests = new HashSet<>();
                        source.digests(into).values().forEach(d -> digests.add(HexFormat.of().formatHex(d)));
                        return digests;
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                Map<Long, byte[]> digests = blobs.digests(window.stream().map(MessageMeta::blobId).toList()).block();
                appendAbsent(source, into, window, blobs, report.folder(box.name(), targetName), message -> {
                    byte[] digest = digests.get(message.blobId());
                    return digest != null && !there.add(HexFormat.of().formatHex(digest));
                });
            }
            return report;
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Whether the target folder holds a message already. */
    private interface Held {
        boolean test(MessageMeta message) throws IOException;
    }

    /**
     * Appends {@code messages} to {@code folder} on the old server with their flags and internal dates, but those
     * the folder {@code held} already; counted in {@code counts}.
     */
    private static void appendAbsent(ImapSource source, ImapSource.Folder folder, List<MessageMeta> messages,
                                     Blobs blobs, ImportReport.Folder counts, Held held) throws IOException {
        for (MessageMeta message : messages) {
            counts.countFound();
            if (held.test(message)) {
                counts.countSkipped();
                continue;
            }
            source.append(folder, message.flags(), message.internalDate(), message.size(),
                    out -> writeContent(blobs, message.blobId(), out));
            counts.countImported(1);
        }
    }

    private static void writeContent(Blobs blobs, long blobId, java.io.OutputStream out) throws IOException {
        for (ByteBuffer chunk : blobs.content(blobId).toIterable()) {
            byte[] bytes = new byte[chunk.remaining()];
            chunk.get(bytes);
            out.write(bytes);
        }
    }

    private static final Pattern MESSAGE_ID = Pattern.compile("(?im)^Message-ID:[ \\t]*(<[^>\\r\\n]{1,900}>)");

    /** The Message-ID of a stored message, read from its first octets; null when it has none. */
    private static @Nullable String messageId(Blobs blobs, long blobId) {
        ByteBuffer head = blobs.heads(Map.of(blobId, 16 * 1024)).block().get(blobId);
        if (head == null) {
            head = blobs.content(blobId).blockFirst();
        }
        if (head == null) {
            return null;
        }
        byte[] bytes = new byte[head.remaining()];
        head.get(bytes);
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        Matcher found = MESSAGE_ID.matcher(end < 0 ? text : text.substring(0, end));
        return found.find() ? found.group(1) : null;
    }

    /** One folder's pass: the batch being gathered, with the old UIDs. */
    private final class FolderCopy implements ImapSource.Messages {
        private final long accountId;
        private final String target;
        private final @Nullable String specialUse;
        private final ImportReport.Folder report;
        private @Nullable MailboxInfo mailbox;
        private final List<Mailboxes.NewMessage> batch = new ArrayList<>();
        private final List<Long> uids = new ArrayList<>();
        private final List<MessageSpool> spools = new ArrayList<>();
        private long batchOctets;

        FolderCopy(long accountId, String target, @Nullable String specialUse, ImportReport.Folder report) {
            this.accountId = accountId;
            this.target = target;
            this.specialUse = specialUse;
            this.report = report;
        }

        void run(ImapSource source, ImapSource.Folder folder, boolean mirror) throws IOException {
            ImapSource.Status status = source.examine(folder);
            MailboxInfo box;
            try {
                box = findOrCreate();
            } catch (MailboxException e) {
                report.refuse(folder.name(), "folder not created: " + e.getMessage());
                return;
            }
            if (!Boolean.TRUE.equals(kept.adoptUidValidity(accountId, box.id(), status.uidValidity()).block())) {
                report.refuse(folder.name(), "not copied: " + target + " already holds messages under UIDVALIDITY "
                        + box.uidValidity() + ", not the old server's " + status.uidValidity()
                        + ", so their UIDs cannot be kept (copy into an empty folder, or import it instead)");
                return;
            }
            mailbox = Objects.requireNonNull(mailboxes.find(accountId, box.name()).block(), target);
            // Where the last pass (or its last committed batch) ended; a folder never marked starts at its next UID.
            KeptUids.CopyMark mark = kept.copiedUpTo(accountId, mailbox.id()).block();
            long from = mark == null ? mailbox.uidNext() : mark.uidNext();
            if (mirror && from > 1) {
                // With CONDSTORE there (RFC 7162), only the flags changed since the last pass are asked for.
                mirror(source, from, mark == null || status.highestModseq() == 0 ? 0 : mark.oldModseq());
            }
            try {
                if (status.exists() > 0 && (status.uidNext() == 0 || from < status.uidNext())) {
                    source.fetch(from, this);
                }
            } finally {
                flush();
            }
            if (status.uidNext() > 0) {
                kept.raiseUidNext(accountId, mailbox.id(), status.uidNext()).block();
            }
            if (status.highestModseq() > 0) {
                // as EXAMINE found it: a change made during this pass has a higher one, and the next pass sees it
                kept.keepOldModseq(accountId, mailbox.id(), status.highestModseq()).block();
            }
        }

        /**
         * Brings over what changed on the old server since the messages below {@code from} were copied: their flags
         * (set to the old server's, \\Recent aside) and their expunges. Only while the old server alone holds the
         * person's mail: every message of the Hato folder below its next UID then came from there. {@code
         * changedSince} above 0 (the old folder's HIGHESTMODSEQ at the last pass): only the flags changed since are
         * fetched, and expunges are found with UID SEARCH.
         */
        private void mirror(ImapSource source, long from, long changedSince) throws IOException {
            Map<Long, Set<String>> old = source.flags(from - 1, changedSince);
            if (changedSince > 0) {
                report.changesAskedFor();
            }
            // With only the changed flags at hand, the messages still there are asked for by UID alone.
            Set<Long> present = changedSince > 0 ? source.uids(from - 1) : old.keySet();
            Map<Set<String>, List<Long>> changed = new HashMap<>();
            List<Long> gone = new ArrayList<>();
            MailboxInfo box = Objects.requireNonNull(mailbox);
            for (MessageMeta message : mailboxes.messages(accountId, box.id()).collectList().block()) {
                if (message.uid() >= from) {
                    continue;
                }
                Set<String> there = old.get(message.uid());
                if (!present.contains(message.uid())) {
                    gone.add(message.uid());
                } else if (there != null && !lower(there).equals(lower(message.flags()))) {
                    changed.computeIfAbsent(there, flags -> new ArrayList<>()).add(message.uid());
                }
            }
            for (Map.Entry<Set<String>, List<Long>> update : changed.entrySet()) {
                mailboxes.store(accountId, box.id(), update.getValue(), Mailboxes.FlagMode.REPLACE, update.getKey(),
                        null).block();
                report.countFlagsUpdated(update.getValue().size());
            }
            if (!gone.isEmpty()) {
                mailboxes.expunge(accountId, box.id(), gone).block();
                report.countRemoved(gone.size());
            }
        }

        private static Set<String> lower(Set<String> flags) {
            Set<String> lowered = new HashSet<>();
            flags.forEach(flag -> lowered.add(flag.toLowerCase(java.util.Locale.ROOT)));
            return lowered;
        }

        private MailboxInfo findOrCreate() {
            MailboxInfo found = mailboxes.find(accountId, target).block();
            return found != null ? found : MailImport.create(mailboxes, accountId, target, specialUse);
        }

        @Override
        public IncomingMessage open(long uid) {
            return new IncomingMessage("UID " + uid, settings.maxMessageOctets(),
                    MailImport.spool(settings, io, indexer));
        }

        @Override
        public void close(IncomingMessage message, long uid) {
            report.countFound();
            MessageSpool spool = message.accepted(report);
            if (spool == null) {
                return;
            }
            MessageContent content = Objects.requireNonNull(spool.finish().block(), "finished spool");
            MessageFacts facts = Objects.requireNonNull(spool.facts(), "the spool reads facts");
            Instant date = message.internalDate() != null ? message.internalDate()
                    : facts.sort().sentDate() != null ? facts.sort().sentDate() : clock.instant();
            Set<String> flags = message.flags();
            batch.add(new Mailboxes.NewMessage(content, facts, flags, date));
            uids.add(uid);
            spools.add(spool);
            batchOctets += content.size();
            if (batch.size() >= MailImport.BATCH_MESSAGES || batchOctets >= MailImport.BATCH_OCTETS) {
                flush();
            }
        }

        /** Stores the batch, with its old UIDs, in one transaction. */
        private void flush() {
            if (batch.isEmpty()) {
                return;
            }
            long mailboxId = Objects.requireNonNull(mailbox).id();
            try {
                int stored = batch.size();
                try {
                    kept.appendWithUids(accountId, mailboxId, List.copyOf(batch), List.copyOf(uids)).block();
                } catch (MailboxException taken) {
                    if (taken.reason() != MailboxException.Reason.CANNOT) {
                        throw taken;
                    }
                    // Mail that reached the old server after Hato took over the person's mail (a cutover's last
                    // seconds): its UIDs are Hato's already, so it is kept with new ones rather than lost.
                    // A message whose octets the folder holds already is there (a copy-back after a rollback
                    // put Hato's own mail on the old server): not stored twice.
                    Set<String> held = kept.holding(accountId, mailboxId,
                            batch.stream().map(message -> message.content().sha256()).toList()).block();
                    List<Mailboxes.NewMessage> missing = batch.stream().filter(message -> !held.contains(
                            HexFormat.of().formatHex(message.content().sha256()))).toList();
                    for (int i = missing.size(); i < batch.size(); i++) {
                        report.countSkipped();
                    }
                    if (missing.isEmpty()) {
                        kept.raiseUidNext(accountId, mailboxId, uids.get(uids.size() - 1) + 1).block();
                    } else {
                        kept.appendRenumbered(accountId, mailboxId, missing, List.copyOf(uids)).block();
                    }
                    stored = missing.size();
                    report.countRenumbered(stored);
                }
                report.countImported(stored);
                ImapCopy.this.stored.accept(stored);
            } catch (MailboxException e) {
                uids.forEach(uid -> report.refuse("UID " + uid, "not stored: " + e.getMessage()));
            } finally {
                spools.forEach(MessageSpool::discard);
                batch.clear();
                uids.clear();
                spools.clear();
                batchOctets = 0;
            }
        }
    }
}
