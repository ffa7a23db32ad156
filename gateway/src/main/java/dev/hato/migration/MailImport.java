package dev.hato.migration;

import dev.hato.delivery.MessageSpool;
import dev.hato.imap.fetch.MessageIndexer;
import dev.hato.message.MessageLimits;
import dev.hato.store.mail.Blobs;
import dev.hato.store.mail.MailboxException;
import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessageContent;
import dev.hato.store.mail.MessageFacts;
import dev.hato.store.mail.MessageMeta;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;

/**
 * Copies the folders of an old mail store into one account: each message read from its file into a
 * {@link MessageSpool} with the facts reader and limits of an IMAP APPEND (so it is parsed once, as every stored
 * message is), then stored with {@link Mailboxes#append(long, long, List)} in batches of at most
 * {@value #BATCH_MESSAGES} messages or {@value #BATCH_OCTETS} octets, one transaction each. Memory stays bounded:
 * a spool keeps at most {@value #SPOOL_MEMORY} octets in memory and the rest in a file, and a message over the
 * size limit is refused as soon as it passes it.
 *
 * <p>Idempotence: a message is skipped when its folder already holds a message with the same octets (the SHA-256
 * of the octets as they would be stored, which the store keeps as the blob's key), so running an import again, or
 * after it was interrupted, adds only what is missing. The octets include the Message-ID field and every other
 * header field, so two different messages are never taken for one; the same message twice in one old folder is
 * imported once. A message whose flags changed on the old server since the first run is not updated.
 *
 * <p>Runs on the caller's thread and blocks it: a command-line tool's work, never a server's.
 */
public final class MailImport {

    static final int BATCH_MESSAGES = 100;
    static final long BATCH_OCTETS = 8L * 1024 * 1024;
    static final int SPOOL_MEMORY = 256 * 1024;
    private static final HexFormat HEX = HexFormat.of();

    private final Mailboxes mailboxes;
    private final Blobs blobs;
    private final MessageIndexer indexer;
    private final Scheduler io;
    private final Settings settings;
    private final Clock clock;

    /**
     * @param maxMessageOctets the largest message to import (the server's APPEND limit, or less)
     * @param spoolDirectory where spools of messages larger than {@value #SPOOL_MEMORY} octets are written
     * @param limits the MIME limits every door checks; a message beyond them is refused, as APPEND refuses it
     * @param dryRun read and count everything, store nothing and create no folder
     */
    public record Settings(long maxMessageOctets, Path spoolDirectory, MessageLimits limits, boolean dryRun) {
        public Settings {
            if (maxMessageOctets < 1) {
                throw new IllegalArgumentException("the largest message must be at least one octet");
            }
            Objects.requireNonNull(spoolDirectory, "spoolDirectory");
            Objects.requireNonNull(limits, "limits");
        }
    }

    public MailImport(Mailboxes mailboxes, Blobs blobs, MessageIndexer indexer, Scheduler io, Settings settings,
                      Clock clock) {
        this.mailboxes = mailboxes;
        this.blobs = blobs;
        this.indexer = indexer;
        this.io = io;
        this.settings = settings;
        this.clock = clock;
    }

    /** Imports the Maildir at {@code root} (its INBOX and folders, Maildir++ or {@code LAYOUT=fs}). */
    public ImportReport maildir(long accountId, Path root) throws IOException {
        return run(accountId, MaildirTree.folders(root), MaildirTree.subscriptions(root));
    }

    /** Imports one mbox file (into INBOX or {@code folder}) or a directory tree of them (under {@code folder}). */
    public ImportReport mbox(long accountId, Path path, @Nullable String folder) throws IOException {
        return run(accountId, MboxTree.folders(path, folder), MboxTree.subscriptions(path, folder));
    }

    private ImportReport run(long accountId, List<MailFolder> folders, Set<String> subscriptions) {
        SpecialUseNames names = new SpecialUseNames(mailboxes.list(accountId).collectList().block());
        ImportReport report = new ImportReport();
        Set<String> subscribe = new LinkedHashSet<>();
        for (MailFolder folder : folders) {
            String target = names.target(folder.name());
            if (new FolderImport(accountId, target, names.specialUseToCreate(folder.name()),
                    report.folder(folder.name(), target)).run(folder)) {
                subscribe.add(target);
            }
        }
        if (!subscriptions.isEmpty()) {
            // the old server's subscriptions, where it kept any; else every folder, so that clients that show only
            // subscribed folders show the imported ones
            subscribe.clear();
            subscriptions.forEach(name -> subscribe.add(names.target(name)));
        }
        if (!settings.dryRun()) {
            for (String name : subscribe) {
                try {
                    mailboxes.subscribe(accountId, name, true).block();
                    report.subscribed();
                } catch (MailboxException notAName) {
                    // a name Hato cannot have (an empty level): its folder, if any, was refused already
                }
            }
        }
        return report;
    }

    /** One folder's import: its messages, the batch being gathered, what the target folder holds already. */
    private final class FolderImport implements MailFolder.MessageSink {
        private final long accountId;
        private final String target;
        private final @Nullable String specialUse;
        private final ImportReport.Folder report;
        private @Nullable MailboxInfo mailbox;
        private final Set<String> digests = new HashSet<>();
        private final List<Mailboxes.NewMessage> batch = new ArrayList<>();
        private final List<MessageSpool> spools = new ArrayList<>();
        private final List<String> origins = new ArrayList<>();
        private final List<String> batchDigests = new ArrayList<>();
        private long batchOctets;

        FolderImport(long accountId, String target, @Nullable String specialUse, ImportReport.Folder report) {
            this.accountId = accountId;
            this.target = target;
            this.specialUse = specialUse;
            this.report = report;
        }

        /** Imports the folder; true when the target folder exists afterwards. */
        boolean run(MailFolder folder) {
            mailbox = findMailbox();
            if (mailbox != null) {
                readDigests(mailbox.id());
            }
            boolean read = false;
            try {
                folder.read(this);
                read = true;
            } catch (IOException | UncheckedIOException e) {
                report.refuse(folder.name(), "cannot be read: " + e.getMessage());
            } finally {
                flush();
            }
            if (read && mailbox == null && !settings.dryRun()) {
                // an empty folder is kept too
                try {
                    create();
                } catch (MailboxException e) {
                    report.refuse(folder.name(), "folder not created: " + e.getMessage());
                }
            }
            return mailbox != null;
        }

        private @Nullable MailboxInfo findMailbox() {
            try {
                return mailboxes.find(accountId, target).block();
            } catch (MailboxException notAName) {
                return null; // refused when its first batch is stored
            }
        }

        /** The SHA-256 of every message the target folder holds. */
        private void readDigests(long mailboxId) {
            mailboxes.messages(accountId, mailboxId).map(MessageMeta::blobId).buffer(1000)
                    .concatMap(blobs::digests)
                    .doOnNext(found -> found.values().forEach(digest -> digests.add(HEX.formatHex(digest))))
                    .blockLast();
        }

        @Override
        public IncomingMessage open(String origin) {
            return new IncomingMessage(origin, settings.maxMessageOctets(), spool(settings, io, indexer));
        }

        @Override
        public void close(IncomingMessage message) {
            report.countFound();
            MessageSpool spool = message.accepted(report);
            if (spool == null) {
                return;
            }
            MessageContent content = Objects.requireNonNull(spool.finish().block(), "finished spool");
            String digest = HEX.formatHex(content.sha256());
            if (!digests.add(digest)) {
                spool.discard();
                report.countSkipped();
                return;
            }
            MessageFacts facts = Objects.requireNonNull(spool.facts(), "the spool reads facts");
            Instant date = firstOf(message.internalDate(), facts.sort().sentDate(), message.fallbackDate());
            if (settings.dryRun()) {
                spool.discard();
                report.countImported(1);
                return;
            }
            batch.add(new Mailboxes.NewMessage(content, facts, message.flags(), date));
            spools.add(spool);
            origins.add(message.origin());
            batchDigests.add(digest);
            batchOctets += content.size();
            if (batch.size() >= BATCH_MESSAGES || batchOctets >= BATCH_OCTETS) {
                flush();
            }
        }

        private Instant firstOf(@Nullable Instant internal, @Nullable Instant sent, @Nullable Instant modified) {
            return internal != null ? internal : sent != null ? sent : modified != null ? modified : clock.instant();
        }

        /** Stores the batch in one transaction; when the store refuses it (quota, a name), each message is refused. */
        private void flush() {
            if (batch.isEmpty()) {
                return;
            }
            try {
                MailboxInfo box = mailbox != null ? mailbox : create();
                mailboxes.append(accountId, box.id(), List.copyOf(batch)).block();
                report.countImported(batch.size());
            } catch (MailboxException e) {
                origins.forEach(origin -> report.refuse(origin, "not stored: " + e.getMessage()));
                batchDigests.forEach(digests::remove);
            } finally {
                spools.forEach(MessageSpool::discard);
                batch.clear();
                spools.clear();
                origins.clear();
                batchDigests.clear();
                batchOctets = 0;
            }
        }

        /** Creates the target folder (and its missing parents); one made meanwhile by someone else is taken. */
        private MailboxInfo create() {
            mailbox = MailImport.create(mailboxes, accountId, target, specialUse);
            return mailbox;
        }
    }

    /** A spool for one message, parsed as an APPEND is (the importers' and the copier's). */
    static MessageSpool spool(Settings settings, Scheduler io, MessageIndexer indexer) {
        return new MessageSpool(settings.spoolDirectory(), SPOOL_MEMORY, io, indexer.reader(settings.limits(), 0));
    }

    /** Creates the folder (and its missing parents); one made meanwhile by someone else is taken. */
    static MailboxInfo create(Mailboxes mailboxes, long accountId, String name, @Nullable String specialUse) {
        MailboxInfo created;
        try {
            created = mailboxes.create(accountId, name, specialUse).block();
        } catch (MailboxException e) {
            if (e.reason() != MailboxException.Reason.ALREADY_EXISTS) {
                throw e;
            }
            created = mailboxes.find(accountId, name).block();
        }
        return Objects.requireNonNull(created, name);
    }
}
