package dev.hato.sieve;

import java.util.List;

/**
 * What a script may ask about the message it runs for; the delivery pipeline answers from the facts its one parse
 * produced, so that no test reads the message again.
 */
public interface SieveMessage {

    /**
     * The values of every header field named {@code name} (compared case-insensitively), in order: unfolded, leading
     * and trailing white space removed, RFC 2047 encoded words decoded (RFC 5228 §5.7). Empty when there is none.
     */
    List<String> header(String name);

    /**
     * The addresses ({@code local-part@domain}, as written) of every field named {@code name}, one list per field in
     * order, groups flattened (RFC 5228 §5.1, §2.7.4); an empty group gives none.
     */
    List<List<String>> addresses(String name);

    /** The message's size in octets (RFC 5228 §5.9). */
    long size();

    /** The envelope's reverse-path, empty for the null sender {@code <>} (RFC 5228 §5.4). */
    String envelopeFrom();

    /** The envelope recipient this evaluation is for. */
    String envelopeTo();

    /**
     * The strings a {@code body} test reads (RFC 5173 §5): {@code types} for {@code :content}, empty for
     * {@code :raw} ({@code raw}) and {@code :text}. None when the message has no body.
     */
    List<String> body(boolean raw, List<String> types, boolean text);
}
