package dev.hato.message;

/**
 * RFC 3516 §4.3: a BINARY fetch of a part whose Content-Transfer-Encoding is not one the server can decode; the
 * session answers the command with {@code NO [UNKNOWN-CTE]}. Raised before any octet of the response is emitted.
 */
public final class UnknownTransferEncodingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public UnknownTransferEncodingException(String mechanism) {
        super("unknown Content-Transfer-Encoding " + mechanism, null, false, false);
    }
}
