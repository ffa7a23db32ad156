package dev.hato.imap.wire;



/** A grammar violation inside one parse; never leaves {@link ImapCommandParser}, which turns it into {@link
 * ImapCommand.Invalid}. */
final class ImapSyntaxError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ImapSyntaxError(String message) {
        super(message, null, false, false);
    }
}
