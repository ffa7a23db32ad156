package dev.hato.imap.search;

import dev.hato.imap.wire.ImapCommand;
import dev.hato.message.ThreadNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The untagged responses of SEARCH, SORT and THREAD, as lines without CRLF. The tagged {@code OK} is the session's.
 */
public final class SearchResponses {

    private static final Set<String> RETURN_OPTIONS = Set.of("MIN", "MAX", "ALL", "COUNT", "SAVE");

    private SearchResponses() {
    }

    /**
     * What a SEARCH answers.
     *
     * @param untagged the untagged lines, none when RETURN (SAVE) stood alone (RFC 5182 §2.1)
     * @param saved the UIDs to keep as the saved result ({@code $}), or null when the command did not say SAVE and the
     *     saved result stays as it was
     */
    public record SearchReply(List<String> untagged, @Nullable List<Long> saved) {
        public SearchReply {
            untagged = List.copyOf(untagged);
            saved = saved == null ? null : List.copyOf(saved);
        }
    }

    /**
     * Whether the return options are all known (RFC 4731 §3.1 MIN, MAX, ALL, COUNT; RFC 5182 SAVE). The session
     * answers an unknown one with BAD before searching.
     */
    public static boolean knownReturnOptions(List<String> options) {
        return RETURN_OPTIONS.containsAll(options);
    }

    /**
     * The responses of {@code command}: {@code * SEARCH} without return options, RFC 4731 {@code * ESEARCH} with them,
     * and what RFC 5182 SAVE keeps.
     */
    public static SearchReply search(ImapCommand.Search command, SearchResult result) {
        return search(command, result, false);
    }

    /**
     * As {@link #search(ImapCommand.Search, SearchResult)}; with {@code imap4rev2} a SEARCH without return options is
     * answered as {@code RETURN (ALL)}, with ESEARCH: RFC 9051 §6.4.4 ("If no result option is specified ... ALL is
     * assumed"; SEARCH responses are IMAP4rev1 only, Appendix E item 4).
     */
    public static SearchReply search(ImapCommand.Search command, SearchResult result, boolean imap4rev2) {
        List<String> options = command.returnOptions().isEmpty() && imap4rev2 ? List.of("ALL")
                : command.returnOptions();
        if (options.isEmpty()) {
            return new SearchReply(List.of(plainSearch(result, command.uid())), null);
        }
        boolean min = options.contains("MIN");
        boolean max = options.contains("MAX");
        boolean all = options.contains("ALL");
        boolean count = options.contains("COUNT");
        List<String> untagged = List.of();
        // RFC 5182 §2.1: SAVE alone (no other return option) sends no ESEARCH.
        if (min || max || all || count) {
            untagged = List.of(esearch(command.tag(), command.uid(), result, min, max, all, count));
        }
        List<Long> saved = null;
        if (options.contains("SAVE")) {
            // RFC 5182 §2.4: with MIN and/or MAX but neither ALL nor COUNT, only those are saved.
            saved = result.uids();
            if ((min || max) && !all && !count && !saved.isEmpty()) {
                List<Long> extremes = new ArrayList<>();
                if (min) {
                    extremes.add(saved.get(0));
                }
                if (max && (!min || saved.size() > 1)) {
                    extremes.add(saved.get(saved.size() - 1));
                }
                saved = extremes;
            }
        }
        return new SearchReply(untagged, saved);
    }

    /** RFC 3501 §7.2.5 {@code * SEARCH n...}, with RFC 7162 §3.1.5 {@code (MODSEQ m)} when the search used MODSEQ. */
    public static String plainSearch(SearchResult result, boolean uid) {
        StringBuilder line = new StringBuilder("* SEARCH");
        for (long number : result.numbers(uid)) {
            line.append(' ').append(number);
        }
        if (result.highestModSeq() != null) {
            line.append(" (MODSEQ ").append(result.highestModSeq()).append(')');
        }
        return line.toString();
    }

    /**
     * RFC 4731 §3.1: {@code * ESEARCH (TAG "t") [UID] [MIN n] [MAX n] [COUNT n] [ALL set]}; MIN, MAX and ALL are left
     * out when nothing matched, COUNT never. RFC 7162 §3.1.10: MODSEQ is the highest mod-sequence of the messages
     * reported, which with only MIN and/or MAX are those messages.
     */
    private static String esearch(String tag, boolean uid, SearchResult result, boolean min, boolean max,
                                  boolean all, boolean count) {
        List<Long> numbers = result.numbers(uid);
        StringBuilder line = new StringBuilder("* ESEARCH (TAG \"").append(tag).append("\")");
        if (uid) {
            line.append(" UID");
        }
        if (!numbers.isEmpty()) {
            if (min) {
                line.append(" MIN ").append(numbers.get(0));
            }
            if (max) {
                line.append(" MAX ").append(numbers.get(numbers.size() - 1));
            }
        }
        if (count) {
            line.append(" COUNT ").append(numbers.size());
        }
        if (all && !numbers.isEmpty()) {
            line.append(" ALL ").append(sequenceSet(numbers));
        }
        if (result.highestModSeq() != null && !numbers.isEmpty()) {
            long modSeq;
            if (all || count) {
                modSeq = result.highestModSeq();
            } else {
                List<Long> modSeqs = result.modSeqs();
                modSeq = Math.max(min ? modSeqs.get(0) : 0, max ? modSeqs.get(modSeqs.size() - 1) : 0);
            }
            line.append(" MODSEQ ").append(modSeq);
        }
        return line.toString();
    }

    /** RFC 5256 §4 {@code * SORT n...}, with RFC 7162 §3.1.5 {@code (MODSEQ m)} when the search used MODSEQ. */
    public static String sort(SearchResult result, boolean uid) {
        StringBuilder line = new StringBuilder("* SORT");
        for (long number : result.numbers(uid)) {
            line.append(' ').append(number);
        }
        if (result.highestModSeq() != null) {
            line.append(" (MODSEQ ").append(result.highestModSeq()).append(')');
        }
        return line.toString();
    }

    /**
     * RFC 5256 §4 {@code * THREAD (..)(..)}: a message followed by its only reply continues the same list, several
     * replies are nested lists, a dummy parent is a list of lists.
     */
    public static String thread(List<ThreadNode> threads, boolean uid) {
        StringBuilder line = new StringBuilder("* THREAD");
        if (!threads.isEmpty()) {
            line.append(' ');
        }
        for (ThreadNode thread : threads) {
            line.append('(');
            members(thread, uid, line);
            line.append(')');
        }
        return line.toString();
    }

    /**
     * thread-members / thread-nested of RFC 5256 §4: along single-child chains in one list, each reply of several in
     * a list of its own. With a stack of its own (a {@link ThreadNode} to write, or a parenthesis): threads are as
     * deep as senders make them.
     */
    private static void members(ThreadNode root, boolean uid, StringBuilder line) {
        java.util.ArrayDeque<Object> work = new java.util.ArrayDeque<>();
        work.push(root);
        while (!work.isEmpty()) {
            Object next = work.pop();
            if (next instanceof Character parenthesis) {
                line.append(parenthesis.charValue());
                continue;
            }
            ThreadNode current = (ThreadNode) next;
            boolean first = true;
            while (true) {
                if (!current.isDummy()) {
                    if (!first) {
                        line.append(' ');
                    }
                    line.append(current.number(uid));
                    first = false;
                }
                List<ThreadNode> children = current.children();
                if (children.size() == 1 && !current.isDummy()) {
                    current = children.get(0);
                    continue;
                }
                if (!children.isEmpty() && !first) {
                    line.append(' ');
                }
                for (int i = children.size() - 1; i >= 0; i--) {
                    work.push(')');
                    work.push(children.get(i));
                    work.push('(');
                }
                break;
            }
        }
    }

    /** RFC 3501 §9 sequence-set of ascending numbers, runs as ranges: {@code 2:5,10}. */
    static String sequenceSet(List<Long> ascending) {
        StringBuilder set = new StringBuilder();
        int i = 0;
        while (i < ascending.size()) {
            int j = i;
            while (j + 1 < ascending.size() && ascending.get(j + 1) == ascending.get(j) + 1) {
                j++;
            }
            if (set.length() > 0) {
                set.append(',');
            }
            set.append(ascending.get(i));
            if (j > i) {
                set.append(':').append(ascending.get(j));
            }
            i = j + 1;
        }
        return set.toString();
    }
}
