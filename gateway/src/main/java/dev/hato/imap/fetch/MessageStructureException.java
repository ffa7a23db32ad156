package dev.hato.imap.fetch;

/** A message exceeds a limit of {@link StructureScanner} and cannot be described within it. */
public final class MessageStructureException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MessageStructureException(String message) {
        super(message);
    }
}
