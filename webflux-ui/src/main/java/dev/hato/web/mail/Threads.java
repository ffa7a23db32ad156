package dev.hato.web.mail;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.hato.message.ThreadNode;
import dev.hato.message.Threading;
import dev.hato.store.mail.MessageFacts;
import dev.hato.store.mail.MessageMeta;
import dev.hato.store.mail.MessageSearch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The thread view of a folder: its messages gathered into conversations by the RFC 5256 REFERENCES algorithm (the one
 * IMAP THREAD=REFERENCES runs, from References, In-Reply-To, Message-ID and the base subject), each conversation in
 * reply order, indented by depth. Conversations are ordered by their latest arrival, the newest first unless asked
 * otherwise, so a new reply brings its whole conversation to the top, as in Thunderbird's threaded view.
 *
 * <p>Threading needs the whole folder, as IMAP THREAD does; a folder of more than {@link #MAX_MESSAGES} is listed
 * unthreaded, with a notice. The order found is kept, compactly, while the folder holds the same messages (the same
 * next UID and count: no message came or went; flags do not matter to threads), so paging through a large folder, or
 * coming back to it after reading a message, threads it once.
 */
final class Threads {

    /** The largest folder threaded (its sort fields are held in memory while the forest is built). */
    static final int MAX_MESSAGES = 100_000;
    /** Indentation stops here: deeper replies line up with this level. */
    static final int MAX_DEPTH = 8;
    /** Lines of thread order kept for all folders together (about 13 octets each). */
    static final long KEPT_LINES = 2_000_000;

    /** One line of the thread view: the message, how deep a reply it is, and (on a conversation's first line) its size. */
    record Line(MessageMeta meta, int depth, int conversation) { }

    /** A folder's thread order: UID, depth and conversation size (on a conversation's first line, else 0) by line. */
    record Order(long[] uids, byte[] depths, int[] conversations) {
        int size() {
            return uids.length;
        }

        static Order of(List<Line> lines) {
            long[] uids = new long[lines.size()];
            byte[] depths = new byte[lines.size()];
            int[] conversations = new int[lines.size()];
            for (int i = 0; i < lines.size(); i++) {
                uids[i] = lines.get(i).meta().uid();
                depths[i] = (byte) lines.get(i).depth();
                conversations[i] = lines.get(i).conversation();
            }
            return new Order(uids, depths, conversations);
        }
    }

    private record Key(long account, long mailbox, long uidNext, long messages, boolean ascending) { }

    private final AsyncCache<Key, Order> orders = Caffeine.newBuilder()
            .maximumWeight(KEPT_LINES).weigher((Key key, Order order) -> Math.max(1, order.size()))
            .expireAfterAccess(Duration.ofMinutes(10)).buildAsync();

    /**
     * The thread order of a folder as it is: kept, or worked out by {@code lines} (the folder's messages and
     * sort fields, threaded) and kept. A request that goes away does not cancel the threading others may wait for.
     */
    Mono<Order> order(long account, Folder folder, boolean ascending, Supplier<Mono<List<Line>>> lines) {
        Key key = new Key(account, folder.id(), folder.uidNext(), folder.messages(), ascending);
        // One threading per folder state however many pages ask at once; a failed one is not kept.
        return Mono.fromFuture(() -> orders.get(key, (k, executor) -> lines.get().map(Order::of).toFuture()), true);
    }

    /**
     * The folder's messages, each with its sort fields (null when the message was stored without them), threaded and
     * flattened into lines: conversation after conversation in {@code order} of their latest message, each in reply
     * order.
     */
    static List<Line> lines(List<Map.Entry<MessageMeta, MessageSearch.@Nullable SortRow>> messages,
                            Comparator<Sorting.Row> order) {
        Map<Long, MessageMeta> byUid = new HashMap<>();
        List<Threading.Message> threading = new ArrayList<>(messages.size());
        long position = 0;
        for (Map.Entry<MessageMeta, MessageSearch.@Nullable SortRow> entry : messages) {
            MessageMeta meta = entry.getKey();
            MessageSearch.SortRow row = entry.getValue();
            MessageFacts.SortFields fields = row == null ? null : row.sort();
            byUid.put(meta.uid(), meta);
            threading.add(new Threading.Message(++position, meta.uid(),
                    fields == null || fields.sentDate() == null ? meta.internalDate() : fields.sentDate(),
                    fields == null ? "" : fields.baseSubject(), row == null ? "" : row.subject(),
                    fields == null ? null : fields.messageId(), fields == null ? List.of() : fields.references()));
        }
        record Conversation(Sorting.Row latest, List<Line> lines) { }
        List<Conversation> conversations = new ArrayList<>();
        for (ThreadNode root : Threading.references(threading)) {
            List<Line> lines = new ArrayList<>();
            flatten(root, byUid, lines);
            if (lines.isEmpty()) {
                continue;
            }
            MessageMeta latest = lines.stream().map(Line::meta)
                    .max(Comparator.comparing(MessageMeta::internalDate).thenComparingLong(MessageMeta::uid))
                    .orElseThrow();
            lines.set(0, new Line(lines.get(0).meta(), 0, lines.size()));
            conversations.add(new Conversation(Sorting.row(latest, null), lines));
        }
        conversations.sort(Comparator.comparing(Conversation::latest, order));
        List<Line> flat = new ArrayList<>(messages.size());
        for (Conversation conversation : conversations) {
            flat.addAll(conversation.lines());
        }
        return flat;
    }

    /**
     * A node's message and its replies, depth first; a dummy (a message referenced but not here) adds no line. With
     * a stack of its own: a chain of replies is as deep as the sender makes it.
     */
    private static void flatten(ThreadNode root, Map<Long, MessageMeta> byUid, List<Line> lines) {
        record Visit(ThreadNode node, int depth) { }
        java.util.ArrayDeque<Visit> stack = new java.util.ArrayDeque<>();
        stack.push(new Visit(root, 0));
        while (!stack.isEmpty()) {
            Visit visit = stack.pop();
            int childDepth = visit.depth();
            if (!visit.node().isDummy()) {
                lines.add(new Line(byUid.get(visit.node().uid()), Math.min(visit.depth(), MAX_DEPTH), 0));
                childDepth++;
            }
            List<ThreadNode> children = visit.node().children();
            for (int i = children.size() - 1; i >= 0; i--) {
                stack.push(new Visit(children.get(i), childDepth));
            }
        }
    }
}
