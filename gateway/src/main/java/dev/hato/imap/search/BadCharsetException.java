package dev.hato.imap.search;

/**
 * A SEARCH, SORT or THREAD named a charset other than UTF-8 or US-ASCII: the session answers
 * {@code tag NO [BADCHARSET (UTF-8 US-ASCII)] ...} (RFC 3501 §6.4.4, §7.1) and, if the search had SAVE, empties the
 * saved result (RFC 5182 §2.1).
 */
public final class BadCharsetException extends RuntimeException {

    /** The response code with the charsets this server supports. */
    public static final String RESPONSE_CODE = "BADCHARSET (UTF-8 US-ASCII)";

    public BadCharsetException(String charset) {
        super("Unsupported charset " + charset, null, false, false);
    }
}
