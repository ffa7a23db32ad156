package dev.hato.app;

import dev.hato.migration.ImportReport;
import dev.hato.migration.MailImport;
import dev.hato.store.directory.Account;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.springframework.util.unit.DataSize;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@code hato import maildir|mbox}: a person's old mail, copied from the files of the old server into their
 * mailboxes with folders, flags, keywords and received dates (docs/migration.md). Offline in the sense that nothing
 * talks to the old server: the files are read where they are (a copy of the old store, or the old store itself
 * while nothing writes to it). Hato may be running meanwhile; clients see the messages arrive.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import a person's old mail from a Maildir or mbox files (see docs/migration.md).",
        subcommands = {MailImportCommand.Maildir.class, MailImportCommand.Mbox.class})
final class MailImportCommand {

    /** What both formats share: the store, the account, the report and the exit status. */
    abstract static class Run implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        StoreOptions store = new StoreOptions();

        @Parameters(index = "0", paramLabel = "PATH")
        Path path;

        @Option(names = {"-u", "--user"}, required = true, paramLabel = "ADDRESS_OR_AUTH_ID",
                description = "The account to import into: its auth ID, or its address when it has an '@'.")
        String who;

        @Option(names = "--dry-run", description = "Read and count everything; store nothing and create no folder.")
        boolean dryRun;

        @Option(names = "--json", description = "The report as one JSON array of objects, one per folder.")
        boolean json;

        @Option(names = "--max-size", paramLabel = "SIZE", description = "Refuse messages larger than SIZE "
                + "(e.g. 20MB; default: hato.imap.append-limit, what an IMAP client could append).")
        @Nullable String maxSize;

        @Override
        public final Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            ImportReport report;
            try (CliContext context = store.open()) {
                Account account = UserCommand.findAccount(context, who);
                HatoProperties properties = context.properties();
                long limit = properties.imap().appendLimit().toBytes();
                if (maxSize != null) {
                    limit = DataSize.parse(maxSize.replace(" ", "")).toBytes();
                }
                Path spool = Files.createDirectories(properties.dataDir().resolve("spool"))
                        .resolve("import-" + ProcessHandle.current().pid());
                Scheduler io = Schedulers.newBoundedElastic(2, 1000, "hato-import");
                try {
                    MailImport work = new MailImport(context.store().mailboxes(), context.store().blobs(),
                            DeliveryWiring.indexer(), io, new MailImport.Settings(limit, spool,
                            properties.message().limits(), dryRun), Clock.systemUTC());
                    report = run(work, account.id());
                } finally {
                    io.dispose();
                    removeSpool(spool);
                }
                print(out, account, report, dryRun, json);
            }
            out.flush();
            return report.refused() == 0 ? 0 : 1;
        }

        abstract ImportReport run(MailImport work, long accountId) throws IOException;
    }

    /** The report, per folder then in total, as text or (with {@code json}) one JSON array. */
    static void print(PrintWriter out, Account account, ImportReport report, boolean dryRun, boolean json) {
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (ImportReport.Folder folder : report.folders()) {
                rows.add(JsonOutput.row("folder", folder.source(), "into", folder.target(), "found",
                        folder.found(), dryRun ? "to_import" : "imported", folder.imported(), "already_there",
                        folder.skipped(), "refused", folder.refused(), "refusals", folder.refusals().stream()
                                .map(r -> JsonOutput.row("origin", r.origin(), "reason", r.reason())).toList()));
            }
            JsonOutput.print(out, rows);
            return;
        }
        String imported = dryRun ? " to import, " : " imported, ";
        for (ImportReport.Folder folder : report.folders()) {
            out.println(folder.source() + (folder.source().equals(folder.target()) ? "" : " -> "
                    + folder.target()) + ": " + folder.found() + " found, " + folder.imported() + imported
                    + folder.skipped() + " already there, " + folder.refused() + " refused");
            if (folder.flagsUpdated() + folder.removed() > 0) {
                out.println("  since the last pass" + (folder.incremental() ? " (CONDSTORE)" : "") + ": "
                        + folder.flagsUpdated() + " with new flags, " + folder.removed() + " expunged there and here");
            }
            if (folder.renumbered() > 0) {
                out.println("  " + folder.renumbered() + " copied with new UIDs: their old ones were already given in"
                        + " Hato");
            }
            for (ImportReport.Refusal refusal : folder.refusals()) {
                out.println("  refused " + refusal.origin() + ": " + refusal.reason());
            }
            if (folder.refused() > folder.refusals().size()) {
                out.println("  (" + (folder.refused() - folder.refusals().size()) + " more refused)");
            }
        }
        out.println((dryRun ? "dry run for " : "") + account.address() + ": " + report.folders().size()
                + " folders, " + report.found() + " found, " + report.imported() + imported + report.skipped()
                + " already there, " + report.refused() + " refused"
                + (dryRun ? "" : ", " + report.subscriptions() + " subscriptions"));
    }

    static void removeSpool(Path spool) {
        if (!Files.isDirectory(spool)) {
            return;
        }
        try (Stream<Path> files = Files.list(spool)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(spool);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the import's spool " + spool, e);
        }
    }

    @Command(name = "maildir", mixinStandardHelpOptions = true, description = {
            "Import the Maildir at PATH (as Dovecot and Courier write it) into the account.",
            "PATH is the INBOX; its folders are the Maildir++ directories .NAME (levels separated by '.', names in "
                    + "IMAP's modified UTF-7) or, in Dovecot's LAYOUT=fs, subdirectories that are Maildirs.",
            "Kept: flags from file names (:2,DFPRST and keywords a-z from dovecot-keywords), the received date (the "
                    + "file's modification time), subscriptions (subscriptions, courierimapsubscribed).",
            MailImportCommand.MAPPED, MailImportCommand.AGAIN})
    static final class Maildir extends Run {
        @Override
        ImportReport run(MailImport work, long accountId) throws IOException {
            return work.maildir(accountId, path);
        }
    }

    @Command(name = "mbox", mixinStandardHelpOptions = true, description = {
            "Import PATH, one mbox file (into INBOX, or --folder) or a directory tree of them (each file the folder "
                    + "of its relative path, e.g. Lists/hato; a top-level 'inbox' is INBOX; dot files, .msf and "
                    + "lock files are left out), into the account.",
            "Read as mboxrd: messages start at 'From ' lines after an empty line; '>From ' lines lose one '>'. "
                    + "Kept: Status (R: seen), X-Status (A answered, F flagged, T draft, D deleted) and X-Keywords "
                    + "as flags, then left out of the message with X-UID, X-IMAP, X-IMAPbase and Content-Length; "
                    + "the received date from the 'From ' line (UTC unless it ends in a +hhmm zone), else the Date "
                    + "field, else the file's modification time.",
            MailImportCommand.MAPPED, MailImportCommand.AGAIN})
    static final class Mbox extends Run {
        @Option(names = "--folder", paramLabel = "NAME", description = "The folder of a single file (default "
                + "INBOX), or the folder a directory tree goes under ('/' between levels).")
        @Nullable String folder;

        @Override
        ImportReport run(MailImport work, long accountId) throws IOException {
            return work.mbox(accountId, path, folder);
        }
    }

    static final String MAPPED = "Folders named Sent, Sent Messages, Sent Items, Sent Mail; Drafts, Draft; Trash, "
            + "Deleted Messages, Deleted Items, Bin; Junk, Spam, Junk E-mail, Junk Email, Bulk Mail; Archive, "
            + "Archives (any case, and their subfolders) go to the account's \\Sent, \\Drafts, \\Trash, \\Junk and "
            + "\\Archive mailboxes; other missing folders are created.";

    static final String AGAIN = "A message already in its folder (same octets) is skipped, so running an import "
            + "again adds only what is missing. Messages over the size limit or the MIME limits are refused and "
            + "reported. Exit status 0 when nothing was refused, 1 otherwise.";
}
