package dev.hato.provisioning;

/** Input an operator must correct; the message is one line meant for people. */
public sealed class ProvisioningException extends RuntimeException permits ImportRefusedException {
    public ProvisioningException(String message) {
        super(message);
    }
}
