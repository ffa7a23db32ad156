package dev.hato.imap.search;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The messages a SEARCH or SORT selected, in result order (ascending for SEARCH, sorted for SORT), as sequence
 * numbers and as UIDs (same order and length).
 *
 * @param highestModSeq when the search used MODSEQ (RFC 7162 §3.1.5): the highest mod-sequence of the selected
 *     messages, null otherwise or when nothing matched
 * @param modSeqs the mod-sequence of each selected message, for ESEARCH MIN/MAX (RFC 7162 §3.1.10 via
 *     {@link SearchResponses})
 */
public record SearchResult(List<Long> sequenceNumbers, List<Long> uids, List<Long> modSeqs,
                           @Nullable Long highestModSeq) {
    public SearchResult {
        sequenceNumbers = List.copyOf(sequenceNumbers);
        uids = List.copyOf(uids);
        modSeqs = List.copyOf(modSeqs);
        if (uids.size() != sequenceNumbers.size() || modSeqs.size() != uids.size()) {
            throw new IllegalArgumentException("sequence numbers, UIDs and mod-sequences differ in length");
        }
    }

    /** UIDs for a UID command, sequence numbers otherwise. */
    public List<Long> numbers(boolean uid) {
        return uid ? uids : sequenceNumbers;
    }

    /** Whether the search used MODSEQ, so responses carry the mod-sequence (RFC 7162 §3.1.5). */
    public boolean reportsModSeq() {
        return highestModSeq != null;
    }
}
