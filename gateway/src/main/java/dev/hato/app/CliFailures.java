package dev.hato.app;

import dev.hato.provisioning.ProvisioningException;
import dev.hato.store.directory.DirectoryException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;

/** Turns what went wrong into the one line an operator sees after "hato: ". */
final class CliFailures {

    private CliFailures() { }

    static String describe(Throwable failure) {
        for (Throwable link = failure; link != null; link = link.getCause()) {
            if (link instanceof BindException bind) {
                Throwable root = bind;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                // the key that could not be bound, and why (the root cause names the value, not the key)
                String message = root == bind ? bind.getMessage() : root.getMessage();
                return bind.getName().toString().equals("hato") ? "invalid settings: " + message
                        : "invalid setting " + bind.getName() + originOf(bind.getProperty()) + ": " + message;
            }
        }
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

    private static String originOf(@Nullable ConfigurationProperty property) {
        return property == null || property.getOrigin() == null ? "" : " (" + property.getOrigin() + ")";
    }
}
