package dev.hato.imap.fetch;

/**
 * Items the session adds to a FETCH response beyond those asked for: {@code uid} for UID FETCH (RFC 3501
 * §6.4.8), {@code modseq} once CONDSTORE is enabled (RFC 7162 §3.1.4.1), {@code flags} when the fetch set \Seen
 * (RFC 3501 §6.4.5: the changed flags are reported). An item that was asked for is never given twice.
 */
public record FetchOptions(boolean uid, boolean modseq, boolean flags) {

    public static final FetchOptions NONE = new FetchOptions(false, false, false);
}
