package dev.hato.contacts;

/** Text that is not one vCard Hato keeps (RFC 6352 §6.3.2.1 valid-address-data); the message says why. */
public final class InvalidCardException extends RuntimeException {

    public InvalidCardException(String message) {
        super(message);
    }
}
