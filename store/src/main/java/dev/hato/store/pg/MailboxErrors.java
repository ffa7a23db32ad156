package dev.hato.store.pg;

import dev.hato.store.mail.MailboxException.Reason;
import dev.hato.store.mail.MailboxException;
import io.r2dbc.postgresql.api.PostgresqlException;
import reactor.core.publisher.Mono;

/** The failures {@link PgMailboxes} and its parts report as {@link MailboxException}s. */
final class MailboxErrors {

    private MailboxErrors() {
    }

    static <T> Mono<T> nonexistent(long mailboxId) {
        return Mono.error(() -> new MailboxException(Reason.NONEXISTENT, "no mailbox with id " + mailboxId));
    }

    /** The constraints a caller can run into, as the refusals they stand for. */
    static Throwable translate(Throwable error) {
        if (!(error instanceof PostgresqlException postgres)) {
            return error;
        }
        var details = postgres.getErrorDetails();
        String constraint = details.getConstraintName().orElse("");
        MailboxException mapped = switch (constraint) {
            case "mailbox_name_key" -> new MailboxException(Reason.ALREADY_EXISTS, "the mailbox exists");
            case "mailbox_uid_next_range", "message_uid_range" -> new MailboxException(Reason.LIMIT,
                    "the mailbox has no UIDs left; create a new one");
            case "mailbox_uidvalidity_range" -> new MailboxException(Reason.LIMIT, "UIDVALIDITY values exhausted");
            case "message_mailbox_fkey", "change_mailbox_fkey" -> new MailboxException(Reason.NONEXISTENT,
                    "the mailbox was deleted meanwhile");
            default -> null;
        };
        if (mapped == null) {
            return error;
        }
        mapped.initCause(error);
        return mapped;
    }
}
