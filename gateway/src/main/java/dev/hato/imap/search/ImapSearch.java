package dev.hato.imap.search;

import dev.hato.imap.fetch.MessageIndexer;
import dev.hato.imap.wire.ImapCommand.SortCriterion;
import dev.hato.imap.wire.ImapCommand.ThreadAlgorithm;
import dev.hato.imap.wire.SearchKey;
import dev.hato.message.ThreadNode;
import dev.hato.message.Threading;
import dev.hato.store.mail.MessageFacts.SortFields;
import dev.hato.store.mail.MessageMeta;
import dev.hato.store.mail.MessageSearch;
import dev.hato.store.mail.MessageSearch.SortRow;
import dev.hato.store.mail.MessageSearch.TextQuery;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * SEARCH, SORT and THREAD for a selected mailbox; one instance serves every session.
 *
 * <pre>{@code
 * ImapSearch search = new ImapSearch(store.search());
 * search.search(context, command.key(), command.charset())          // SEARCH, UID SEARCH
 *       .map(result -> SearchResponses.search(command, result));     // untagged lines and the result to SAVE
 * search.sort(context, sort.criteria(), sort.key(), sort.charset())  // SORT, UID SORT
 *       .map(result -> SearchResponses.sort(result, sort.uid()));
 * search.thread(context, thread.algorithm(), thread.key(), thread.charset())
 *       .map(threads -> SearchResponses.thread(threads, thread.uid()));
 * }</pre>
 *
 * A charset other than UTF-8 or US-ASCII fails with {@link BadCharsetException}. Text keys go to the store (a few
 * queries at a time); the rest is evaluated on the context's message list, on the thread that completes the store
 * queries, without blocking.
 */
public final class ImapSearch {

    /**
     * What this package implements, for the CAPABILITY response: RFC 4731 ESEARCH, RFC 5182 SEARCHRES, RFC 5256 SORT
     * and both THREAD algorithms, RFC 5957 SORT=DISPLAY, RFC 5032 WITHIN.
     */
    public static final List<String> CAPABILITIES = List.of("ESEARCH", "SEARCHRES", "SORT", "SORT=DISPLAY",
            "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES", "WITHIN");

    /** Text keys of one command searched at the same time. */
    private static final int TEXT_QUERY_CONCURRENCY = 4;

    static {
        // The NFKC tables are read from the JDK's resources on first use: do it when the server is wired, not on an
        // event loop during the first SEARCH (BlockHound would rightly call that blocking).
        Normalizer.normalize("\uff76", Normalizer.Form.NFKC);
    }

    private final MessageSearch store;

    public ImapSearch(MessageSearch store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /** RFC 3501 §6.4.4: US-ASCII must be supported; UTF-8 is what this server decodes every string as. */
    public static boolean supportsCharset(@Nullable String charset) {
        return charset == null || charset.equalsIgnoreCase("UTF-8") || charset.equalsIgnoreCase("US-ASCII");
    }

    /** The messages matching {@code key}, in ascending order. */
    public Mono<SearchResult> search(SearchContext context, SearchKey key, @Nullable String charset) {
        if (!supportsCharset(charset)) {
            return Mono.error(new BadCharsetException(String.valueOf(charset)));
        }
        return evaluate(context, key, needsSentDates(key)).map(evaluated -> {
            List<Integer> indexes = new ArrayList<>();
            for (int i = evaluated.bits.nextSetBit(0); i >= 0; i = evaluated.bits.nextSetBit(i + 1)) {
                indexes.add(i);
            }
            return result(context, indexes, evaluated.usedModSeq);
        });
    }

    /** RFC 5256 SORT: the messages matching {@code key}, in the order of {@code criteria}. */
    public Mono<SearchResult> sort(SearchContext context, List<SortCriterion> criteria, SearchKey key,
                                   String charset) {
        if (!supportsCharset(charset)) {
            return Mono.error(new BadCharsetException(charset));
        }
        if (criteria.isEmpty()) {
            return Mono.error(new IllegalArgumentException("SORT needs at least one criterion"));
        }
        return evaluate(context, key, true).map(evaluated -> {
            List<SortOrder.Entry> entries = new ArrayList<>();
            for (int i = evaluated.bits.nextSetBit(0); i >= 0; i = evaluated.bits.nextSetBit(i + 1)) {
                MessageMeta meta = context.messages().get(i);
                entries.add(new SortOrder.Entry(i + 1, meta, fields(evaluated.sortRows, meta.uid())));
            }
            entries.sort(SortOrder.of(criteria));
            List<Integer> indexes = new ArrayList<>(entries.size());
            for (SortOrder.Entry entry : entries) {
                indexes.add((int) entry.sequenceNumber() - 1);
            }
            return result(context, indexes, evaluated.usedModSeq);
        });
    }

    /** RFC 5256 THREAD: the messages matching {@code key} as a forest of threads, in thread order. */
    public Mono<List<ThreadNode>> thread(SearchContext context, ThreadAlgorithm algorithm, SearchKey key,
                                         String charset) {
        if (!supportsCharset(charset)) {
            return Mono.error(new BadCharsetException(charset));
        }
        return evaluate(context, key, true).map(evaluated -> {
            List<Threading.Message> messages = new ArrayList<>();
            for (int i = evaluated.bits.nextSetBit(0); i >= 0; i = evaluated.bits.nextSetBit(i + 1)) {
                MessageMeta meta = context.messages().get(i);
                SortRow row = evaluated.sortRows.get(meta.uid());
                SortFields fields = fields(evaluated.sortRows, meta.uid());
                messages.add(new Threading.Message(i + 1, meta.uid(),
                        fields.sentDate() == null ? meta.internalDate() : fields.sentDate(), fields.baseSubject(),
                        row == null ? "" : row.subject(), fields.messageId(), fields.references()));
            }
            return switch (algorithm) {
                case ORDEREDSUBJECT -> Threading.orderedSubject(messages);
                case REFERENCES -> Threading.references(messages);
            };
        });
    }

    /** The indexer's search form ({@link MessageIndexer#searchForm}), in which the stored text is compared. */
    static String searchForm(String text) {
        return MessageIndexer.searchForm(text);
    }

    /** The store query of a text key (RFC 3501 §6.4.4: BCC, CC, FROM, SUBJECT, TO name a field; BODY, TEXT). */
    static TextQuery query(SearchKey.Text key) {
        String text = searchForm(key.value());
        return switch (key.field()) {
            case BCC -> TextQuery.field("bcc", text);
            case CC -> TextQuery.field("cc", text);
            case FROM -> TextQuery.field("from", text);
            case SUBJECT -> TextQuery.field("subject", text);
            case TO -> TextQuery.field("to", text);
            case BODY -> TextQuery.body(text);
            case TEXT -> TextQuery.text(text);
        };
    }

    /** The store query of HEADER; null for a field name no header can have, which matches nothing. */
    static @Nullable TextQuery query(SearchKey.Header key) {
        try {
            return TextQuery.field(key.field().toLowerCase(Locale.ROOT), searchForm(key.value()));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private record Evaluated(BitSet bits, boolean usedModSeq, Map<Long, SortRow> sortRows) {
    }

    private Mono<Evaluated> evaluate(SearchContext context, SearchKey key, boolean withSortRows) {
        if (context.messages().isEmpty()) {
            return Mono.just(new Evaluated(new BitSet(), usesModSeq(key), Map.of()));
        }
        Set<TextQuery> queries = new LinkedHashSet<>();
        collectQueries(key, queries);
        Mono<Map<TextQuery, long[]>> texts = Flux.fromIterable(queries)
                .flatMap(query -> store.find(context.accountId(), context.mailboxId(), query,
                                context.messages().size())
                        .collectList()
                        .map(uids -> Map.entry(query, uids.stream().mapToLong(Long::longValue).toArray())),
                        TEXT_QUERY_CONCURRENCY)
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
        Mono<Map<Long, SortRow>> rows = withSortRows
                ? store.sortFields(context.accountId(), context.mailboxId()).collectMap(SortRow::uid)
                : Mono.just(Map.of());
        return Mono.zip(texts, rows).map(both -> {
            SearchEvaluation evaluation = new SearchEvaluation(context, both.getT1(), both.getT2());
            return new Evaluated(evaluation.matches(key), usesModSeq(key), both.getT2());
        });
    }

    private static SearchResult result(SearchContext context, List<Integer> indexes, boolean usedModSeq) {
        List<Long> sequence = new ArrayList<>(indexes.size());
        List<Long> uids = new ArrayList<>(indexes.size());
        List<Long> modSeqs = new ArrayList<>(indexes.size());
        long highest = 0;
        for (int i : indexes) {
            MessageMeta meta = context.messages().get(i);
            sequence.add((long) i + 1);
            uids.add(meta.uid());
            modSeqs.add(meta.modseq());
            highest = Math.max(highest, meta.modseq());
        }
        // RFC 7162 §3.1.5: the MODSEQ of a non-empty result only.
        return new SearchResult(sequence, uids, modSeqs, usedModSeq && !indexes.isEmpty() ? highest : null);
    }

    private static SortFields fields(Map<Long, SortRow> rows, long uid) {
        SortRow row = rows.get(uid);
        return row != null ? row.sort()
                : new SortFields("", "", "", "", null, null, List.of(), null, null);
    }

    private static void collectQueries(SearchKey key, Set<TextQuery> queries) {
        if (key instanceof SearchKey.Text text) {
            queries.add(query(text));
        } else if (key instanceof SearchKey.Header header) {
            TextQuery query = query(header);
            if (query != null) {
                queries.add(query);
            }
        } else {
            children(key).forEach(child -> collectQueries(child, queries));
        }
    }

    private static boolean needsSentDates(SearchKey key) {
        if (key instanceof SearchKey.Date date) {
            return switch (date.field()) {
                case SENTBEFORE, SENTON, SENTSINCE -> true;
                case BEFORE, ON, SINCE, SAVEDBEFORE, SAVEDON, SAVEDSINCE -> false;
            };
        }
        return children(key).stream().anyMatch(ImapSearch::needsSentDates);
    }

    private static boolean usesModSeq(SearchKey key) {
        return key instanceof SearchKey.ModSeq || children(key).stream().anyMatch(ImapSearch::usesModSeq);
    }

    private static List<SearchKey> children(SearchKey key) {
        if (key instanceof SearchKey.Not not) {
            return List.of(not.key());
        }
        if (key instanceof SearchKey.Or or) {
            return List.of(or.left(), or.right());
        }
        if (key instanceof SearchKey.And and) {
            return and.keys();
        }
        return List.of();
    }
}
