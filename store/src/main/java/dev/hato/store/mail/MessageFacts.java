package dev.hato.store.mail;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the gateway learnt by parsing a message once, at delivery or APPEND, kept beside its blob so that FETCH,
 * SEARCH, SORT and THREAD never parse it again. The store does not interpret {@code structure}: it is the gateway's
 * encoded IMAP structure (envelope, body structure, part offsets).
 *
 * <p>{@code headerText} and {@code bodyText} are in search form: Unicode NFKC-normalised, then lower-cased with
 * {@code Locale.ROOT} ({@code dev.hato.imap.fetch.MessageIndexer.searchForm} in the gateway). SEARCH must bring its
 * query into the same form, with the same function, before looking for it as a substring.
 *
 * @param structure the encoded structure, opaque to the store
 * @param headerText the header fields unfolded and RFC 2047-decoded, one {@code name: value} per line, for SEARCH
 *     HEADER/FROM/TO/CC/BCC/SUBJECT
 * @param bodyText the decoded text of the text parts (charset converted to Unicode), for SEARCH BODY/TEXT; may be
 *     cut at a size limit
 * @param sort the fields RFC 5256 SORT and THREAD need
 * @param preview the RFC 8970 preview (made from the first text part, as shown, not in search form), empty when the
 *     message has no text to show; null when it was not made (facts made without one)
 */
public record MessageFacts(byte[] structure, String headerText, String bodyText, SortFields sort,
                           @Nullable String preview) {
    public MessageFacts {
        Objects.requireNonNull(structure, "structure");
        Objects.requireNonNull(headerText, "headerText");
        Objects.requireNonNull(bodyText, "bodyText");
        Objects.requireNonNull(sort, "sort");
    }

    /** Facts without a preview: FETCH PREVIEW makes one from the message when it is first asked for. */
    public MessageFacts(byte[] structure, String headerText, String bodyText, SortFields sort) {
        this(structure, headerText, bodyText, sort, null);
    }

    /**
     * RFC 5256 sort keys and threading fields, already reduced as the RFC says (base subject, first mailbox's
     * addr-mailbox, lower-cased; {@code sentDate} null when the Date field is missing or unparsable).
     */
    public record SortFields(String baseSubject, String from, String to, String cc, @Nullable Instant sentDate,
                             @Nullable String messageId, List<String> references, @Nullable String displayFrom,
                             @Nullable String displayTo) {
        public SortFields {
            references = List.copyOf(references);
        }
    }
}
