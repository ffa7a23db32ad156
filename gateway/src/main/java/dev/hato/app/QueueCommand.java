package dev.hato.app;

import dev.hato.store.queue.QueuedRecipient;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hato queue list|retry|delete}: the outbound queue, also while the server runs. */
@Command(name = "queue", mixinStandardHelpOptions = true, description = "Inspect and manage the outbound queue.")
final class QueueCommand {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    StoreOptions store = new StoreOptions();

    @Command(name = "list", description = "List queued recipients: message, recipient, sender, attempts, next attempt,"
            + " last error (tab-separated).")
    int list(@Option(names = "--json", description = "One JSON array of objects, for scripts.") boolean json) {
        try (CliContext context = store.open()) {
            List<QueuedRecipient> queued = context.store().outboundQueue().list().collectList().block();
            var out = spec.commandLine().getOut();
            if (json) {
                JsonOutput.print(out, (queued == null ? List.<QueuedRecipient>of() : queued).stream()
                        .map(recipient -> JsonOutput.row("message_id", recipient.message().id(),
                                "recipient", recipient.recipient().address(),
                                "sender", recipient.message().envelope().sender(), "attempts", recipient.attempts(),
                                "next_attempt", recipient.nextAttempt(), "last_error", recipient.lastError()))
                        .toList());
                return 0;
            }
            if (queued == null || queued.isEmpty()) {
                out.println("the queue is empty");
                return 0;
            }
            for (QueuedRecipient recipient : queued) {
                String sender = recipient.message().envelope().sender();
                out.println(recipient.message().id() + "\t" + recipient.recipient().address() + "\t<" + sender + ">\t"
                        + recipient.attempts() + "\t" + recipient.nextAttempt().truncatedTo(ChronoUnit.SECONDS) + "\t"
                        + (recipient.lastError() == null ? "-" : recipient.lastError().replaceAll("[\\t\\r\\n]", " ")));
            }
        }
        return 0;
    }

    @Command(name = "retry", description = "Make queued messages due now (all, or the given message IDs).")
    int retry(@Parameters(paramLabel = "ID", arity = "0..*") List<Long> ids,
              @Option(names = "--all", description = "Retry every queued message.") boolean all) {
        if ((ids == null || ids.isEmpty()) && !all) {
            throw new IllegalArgumentException("give message IDs (see hato queue list) or --all");
        }
        try (CliContext context = store.open()) {
            var queue = context.store().outboundQueue();
            long touched = 0;
            if (ids == null || ids.isEmpty()) {
                touched = queue.retryNow(null).blockOptional().orElse(0L);
            } else {
                for (long id : ids) {
                    long recipients = queue.retryNow(id).blockOptional().orElse(0L);
                    if (recipients == 0) {
                        throw new IllegalArgumentException("no queued message " + id);
                    }
                    touched += recipients;
                }
            }
            spec.commandLine().getOut().println(touched + " recipient(s) due now (" + Instant.now()
                    .truncatedTo(ChronoUnit.SECONDS) + "); a running server picks them up at its next poll");
        }
        return 0;
    }

    @Command(name = "delete", description = "Remove queued messages without any report to their senders.")
    int delete(@Parameters(paramLabel = "ID", arity = "1..*") List<Long> ids) {
        try (CliContext context = store.open()) {
            for (long id : ids) {
                if (!Boolean.TRUE.equals(context.store().outboundQueue().delete(id).block())) {
                    throw new IllegalArgumentException("no queued message " + id);
                }
                spec.commandLine().getOut().println("deleted queued message " + id);
            }
        }
        return 0;
    }
}
