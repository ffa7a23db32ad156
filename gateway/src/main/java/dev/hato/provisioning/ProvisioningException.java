package dev.hato.provisioning;

/** Input an operator must correct; the message is one line meant for people. */
public final class ProvisioningException extends RuntimeException {
    public ProvisioningException(String message) {
        super(message);
    }
}
