package dev.hato.app;

import dev.hato.maillog.MailLogSearch;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hato log search --queue-id ID | --address ADDR | --since WHEN [--json]}: the story of messages from the JSON
 * mail log (docs/operations.md), oldest event first. Reads the files only: needs no database and no running server.
 */
@Command(name = "log", mixinStandardHelpOptions = true, description = "Read the mail log.",
        subcommands = LogCommand.Search.class)
final class LogCommand {

    @Command(name = "search", mixinStandardHelpOptions = true, description = {
            "Print the events of the messages that match, oldest first: received, delivered, queued, relayed, "
                    + "deferred, bounced, rejected. A message found by one event is shown with all its events "
                    + "(its received id and its outbound queue id are linked by the queued event).",
            "Reads hato.mail-log.file (default <data-dir>/log/mail.log) and its rotated files; needs no database."})
    static final class Search implements Callable<Integer> {

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        StoreOptions store = new StoreOptions();

        @Option(names = "--queue-id", paramLabel = "ID",
                description = "A message's id (as in its 250 reply and Received field) or its outbound queue id.")
        @Nullable String queueId;

        @Option(names = "--address", paramLabel = "ADDR",
                description = "Messages from or to ADDR, or submitted by the login ADDR (case ignored).")
        @Nullable String address;

        @Option(names = "--since", paramLabel = "WHEN", description = "Only events since WHEN: a date (2026-11-01, "
                + "midnight UTC), an instant (2026-11-01T08:00:00Z) or a time ago (90m, 24h, 7d).")
        @Nullable String since;

        @Option(names = "--json", description = "Print the events as they are stored: one JSON object a line.")
        boolean json;

        @Override
        public Integer call() {
            Instant from = since == null ? null : AuditCommand.since(since, Instant.now());
            MailLogSearch.Query query = new MailLogSearch.Query(queueId, address, from);
            MailLogSearch search = new MailLogSearch(store.properties().mailLogFile());
            PrintWriter out = spec.commandLine().getOut();
            search.search(query, entry -> out.println(json ? entry.line() : entry.text()));
            out.flush();
            return 0;
        }
    }
}
