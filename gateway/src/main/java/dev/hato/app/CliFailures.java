package dev.hato.app;

import dev.hato.provisioning.ProvisioningException;
import dev.hato.store.directory.DirectoryException;

/** Turns what went wrong into the one line an operator sees after "hato: ". */
final class CliFailures {

    private CliFailures() { }

    static String describe(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && !(cause instanceof ProvisioningException)
                && !(cause instanceof DirectoryException)) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        if (cause instanceof ProvisioningException || cause instanceof DirectoryException) {
            return message;
        }
        return message == null ? cause.getClass().getSimpleName() : message;
    }
}
