package dev.hato.message;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The two RFC 5256 §3 threading algorithms over a set of messages: IMAP THREAD runs them over the searched messages,
 * the webmail's thread view over a folder.
 */
public final class Threading {

    /**
     * What threading needs of one searched message.
     *
     * @param sentDate the Date field, or the internal date when it is missing (RFC 5256 §2.2)
     * @param baseSubject RFC 5256 §2.1 base subject
     * @param subject the Subject field as sent (decoded, lower case), to tell a reply or forward
     * @param references the parent chain, oldest first (References, or In-Reply-To without it)
     */
    public record Message(long sequenceNumber, long uid, Instant sentDate, String baseSubject, String subject,
                   @Nullable String messageId, List<String> references) {
    }

    /**
     * The References of a message that are linked: its last ones (the nearest ancestors). Mail clients keep far fewer
     * (RFC 5322 §3.6.4 lets them trim the list); a sender could write 25,000 into one header section.
     */
    static final int MAX_REFERENCES = 100;
    /** The most ancestors a loop check looks at ({@code Container#hasAncestorOrSelf}). */
    static final int MAX_WALK = 256;

    /** RFC 5256 §2.2: by sent date, then by sequence number. */
    private static final Comparator<Message> BY_DATE = Comparator.comparing(Message::sentDate)
            .thenComparingLong(Message::sequenceNumber);

    private Threading() {
    }

    /**
     * RFC 5256 §3 ORDEREDSUBJECT: messages sorted by base subject and then sent date; each run of one base subject is
     * a thread whose first message is the parent of all the others; threads in the order of their first message's
     * sent date.
     */
    public static List<ThreadNode> orderedSubject(List<Message> messages) {
        List<Message> sorted = new ArrayList<>(messages);
        sorted.sort(Comparator.comparing(Message::baseSubject, AsciiCasemap.ORDER).thenComparing(BY_DATE));
        List<List<Message>> threads = new ArrayList<>();
        for (Message message : sorted) {
            List<Message> last = threads.isEmpty() ? null : threads.get(threads.size() - 1);
            if (last != null && AsciiCasemap.ORDER.compare(last.get(0).baseSubject(), message.baseSubject()) == 0) {
                last.add(message);
            } else {
                threads.add(new ArrayList<>(List.of(message)));
            }
        }
        threads.sort(Comparator.comparing(thread -> thread.get(0), BY_DATE));
        List<ThreadNode> forest = new ArrayList<>();
        for (List<Message> thread : threads) {
            List<ThreadNode> children = new ArrayList<>();
            for (Message child : thread.subList(1, thread.size())) {
                children.add(new ThreadNode(child.sequenceNumber(), child.uid(), List.of()));
            }
            Message root = thread.get(0);
            forest.add(new ThreadNode(root.sequenceNumber(), root.uid(), children));
        }
        return forest;
    }

    /** A node of the REFERENCES algorithm: a message, or a dummy for a Message-ID no searched message has. */
    private static final class Container {
        @Nullable Message message;
        @Nullable Container parent;
        final List<Container> children = new ArrayList<>();

        boolean isDummy() {
            return message == null;
        }

        /**
         * Whether linking {@code other} above this container could make a loop: whether {@code other} is this container
         * or one of its ancestors. A container without children is nobody's ancestor: answered at once, which keeps a
         * long chain of replies linear. Otherwise at most {@link #MAX_WALK} ancestors are looked at, and a chain deeper
         * than that counts as a loop (the link is not made): a sender chooses the References, and an unbounded walk
         * per reference let a few crafted messages cost minutes.
         */
        boolean hasAncestorOrSelf(Container other) {
            if (other == this) {
                return true;
            }
            if (other.children.isEmpty()) {
                return false;
            }
            int steps = 0;
            for (Container c = this; c != null; c = c.parent) {
                if (c == other || ++steps > MAX_WALK) {
                    return true;
                }
            }
            return false;
        }

        void unlink() {
            if (parent != null) {
                parent.children.remove(this);
                parent = null;
            }
        }

        void addChild(Container child) {
            child.unlink();
            child.parent = this;
            children.add(child);
        }

        /** The message that stands for this container in sorting: a dummy's first child's (RFC 5256 step 4). */
        Message representative() {
            Container c = this;
            while (c.message == null) {
                c = c.children.get(0);
            }
            return c.message;
        }
    }

    /** RFC 5256 §3 REFERENCES, steps 1 to 6. */
    public static List<ThreadNode> references(List<Message> messages) {
        Map<String, Container> byId = new HashMap<>();
        List<Container> all = new ArrayList<>();
        for (Message message : messages) {
            // Step 1: a message without a Message-ID, or with one an earlier message already has, gets a unique one:
            // a container nobody can reference.
            Container container = message.messageId() == null ? null : byId.get(message.messageId());
            if (container == null || container.message != null) {
                container = new Container();
                all.add(container);
                if (message.messageId() != null && !byId.containsKey(message.messageId())) {
                    byId.put(message.messageId(), container);
                }
            }
            container.message = message;
            // Step 1A: link the references in order, leaving existing links alone and creating no loop.
            Container previous = null;
            List<String> references = message.references();
            for (String reference : references.subList(Math.max(0, references.size() - MAX_REFERENCES),
                    references.size())) {
                Container current = byId.get(reference);
                if (current == null) {
                    current = new Container();
                    byId.put(reference, current);
                    all.add(current);
                }
                if (previous != null && current.parent == null && !previous.hasAncestorOrSelf(current)) {
                    previous.addChild(current);
                }
                previous = current;
            }
            // Step 1B: the last reference is the parent; an existing parent (from a truncated References field
            // elsewhere) is replaced, unless that would create a loop.
            if (previous == null || !previous.hasAncestorOrSelf(container)) {
                container.unlink();
                if (previous != null) {
                    previous.addChild(container);
                }
            }
        }
        // Step 2: the root set.
        List<Container> roots = new ArrayList<>();
        for (Container container : all) {
            if (container.parent == null) {
                roots.add(container);
            }
        }
        // Step 3: prune dummies.
        roots = prune(roots);
        // Step 4: sort the top level by sent date; a dummy by its children's first.
        for (Container root : roots) {
            if (root.isDummy()) {
                root.children.sort(Comparator.comparing(Container::representative, BY_DATE));
            }
        }
        roots.sort(Comparator.comparing(Container::representative, BY_DATE));
        // Step 5: gather top-level messages with the same base subject.
        roots = groupBySubject(roots);
        // Step 6: sort every set of siblings, the deepest first.
        sortTree(roots);
        roots.sort(Comparator.comparing(Container::representative, BY_DATE));
        return forest(roots);
    }

    /**
     * RFC 5256 §3 step 3: a dummy without children goes; a dummy with children is replaced by them, unless that
     * would put more than one of them at the root. Children first, without recursion: a chain of replies, or of the
     * References of one message, is as long as a sender makes it.
     */
    private static List<Container> prune(List<Container> roots) {
        Map<Container, List<Container>> replacements = new IdentityHashMap<>();
        for (Container container : postOrder(roots)) {
            List<Container> children = new ArrayList<>();
            for (Container child : container.children) {
                children.addAll(replacements.remove(child));
            }
            container.children.clear();
            for (Container child : children) {
                child.parent = container;
                container.children.add(child);
            }
            replacements.put(container, replacement(container, container.parent == null));
        }
        List<Container> kept = new ArrayList<>();
        for (Container root : roots) {
            for (Container container : replacements.get(root)) {
                container.parent = null;
                kept.add(container);
            }
        }
        return kept;
    }

    /** What stands for a container, its children already pruned, among its siblings. */
    private static List<Container> replacement(Container container, boolean atRoot) {
        if (!container.isDummy()) {
            return List.of(container);
        }
        if (container.children.isEmpty()) {
            return List.of();
        }
        if (!atRoot || container.children.size() == 1) {
            List<Container> children = new ArrayList<>(container.children);
            container.children.clear();
            return children;
        }
        return List.of(container);
    }

    /** Every container of these trees, each after all of its descendants. */
    private static List<Container> postOrder(List<Container> roots) {
        List<Container> order = new ArrayList<>();
        ArrayDeque<Container> stack = new ArrayDeque<>(roots);
        while (!stack.isEmpty()) {
            Container container = stack.pop();
            order.add(container);
            container.children.forEach(stack::push);
        }
        Collections.reverse(order);
        return order;
    }

    /** RFC 5256 §3 step 5. */
    private static List<Container> groupBySubject(List<Container> roots) {
        // 5A, 5B: the subject table.
        Map<String, Container> table = new LinkedHashMap<>();
        for (Container root : roots) {
            String subject = root.representative().baseSubject();
            if (subject.isEmpty()) {
                continue;
            }
            Container old = table.get(subject);
            if (old == null || (!old.isDummy() && (root.isDummy()
                    || (isReplyOrForward(old) && !isReplyOrForward(root))))) {
                table.put(subject, root);
            }
        }
        // 5C: merge. Roots that go under another are marked, and one that a new dummy takes the place of is mapped to
        // it; the list is made once at the end (removing from it as it went cost a pass over the roots each time).
        Set<Container> merged = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<Container, Container> replaced = new IdentityHashMap<>();
        for (Container root : roots) {
            String subject = root.representative().baseSubject();
            if (subject.isEmpty() || replaced.containsKey(root)) {
                continue; // replaced: already under the dummy that took its place
            }
            Container old = table.get(subject);
            if (old == null || old == root) {
                continue;
            }
            merged.add(root);
            if (old.isDummy() && root.isDummy()) {
                for (Container child : root.children) {
                    child.parent = old;
                    old.children.add(child);
                }
                root.children.clear();
            } else if (old.isDummy() || (isReplyOrForward(root) && !isReplyOrForward(old))) {
                old.addChild(root);
            } else {
                Container dummy = new Container();
                replaced.put(old, dummy);
                dummy.addChild(old);
                dummy.addChild(root);
                table.put(subject, dummy);
            }
        }
        List<Container> result = new ArrayList<>(roots.size() - merged.size());
        for (Container root : roots) {
            if (!merged.contains(root)) {
                result.add(replaced.getOrDefault(root, root));
            }
        }
        return result;
    }

    /**
     * Whether the original subject marks a reply or forward: a subj-refwd in its leader, a {@code [fwd: ...]} wrapper or
     * a {@code (fwd)} trailer (RFC 5256 §2.1, §5 ABNF). Any sender chooses the subject, so this is one left-to-right
     * scan: the regular expression it replaces ({@code ^[ \t]*(\[[^\[\]]*\][ \t]*)*(re|fwd?)[ \t]*(\[...\][ \t]*)?:}
     * and the two others) recursed once per repeated blob and threw StackOverflowError on a subject of a thousand
     * {@code [x]}. Case-insensitive in ASCII only, as the regex was.
     */
    public static boolean isReplyOrForward(String subject) {
        return hasRefwdLeader(subject) || startsWithFwdWrapper(subject) || hasFwdTrailer(subject);
    }

    /** ^[ \t]*(blob[ \t]*)*(re|fwd?)[ \t]*(blob[ \t]*)?: where blob = "[" *(any but "[" "]") "]". */
    private static boolean hasRefwdLeader(String s) {
        int pos = skipSpaceOrTab(s, 0);
        int blob;
        while ((blob = blobEnd(s, pos)) >= 0) {
            pos = skipSpaceOrTab(s, blob);
        }
        if (ascii(s, pos, "re")) {
            pos += 2;
        } else if (ascii(s, pos, "fwd")) {
            pos += 3;
        } else if (ascii(s, pos, "fw")) {
            pos += 2;
        } else {
            return false;
        }
        pos = skipSpaceOrTab(s, pos);
        blob = blobEnd(s, pos);
        if (blob >= 0) {
            pos = skipSpaceOrTab(s, blob);
        }
        return pos < s.length() && s.charAt(pos) == ':';
    }

    /** ^[ \t]*\[fwd: */
    private static boolean startsWithFwdWrapper(String s) {
        return ascii(s, skipSpaceOrTab(s, 0), "[fwd:");
    }

    /** \(fwd\)[ \t]*$ anywhere, where $ is the end or a line terminator that ends the text (java.util.regex). */
    private static boolean hasFwdTrailer(String s) {
        for (int i = s.indexOf('('); i >= 0; i = s.indexOf('(', i + 1)) {
            if (ascii(s, i, "(fwd)")) {
                int end = skipSpaceOrTab(s, i + 5);
                int left = s.length() - end;
                if (left == 0 || (left == 2 && s.startsWith("\r\n", end))
                        || (left == 1 && "\n\r\u0085\u2028\u2029".indexOf(s.charAt(end)) >= 0)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The index after the blob "[" *(any but "[" "]") "]" at {@code pos}, or -1. */
    private static int blobEnd(String s, int pos) {
        if (pos >= s.length() || s.charAt(pos) != '[') {
            return -1;
        }
        for (int i = pos + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ']') {
                return i + 1;
            }
            if (c == '[') {
                return -1;
            }
        }
        return -1;
    }

    private static int skipSpaceOrTab(String s, int pos) {
        int i = pos;
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    /** Whether {@code word} (lower case) is at {@code pos}, ignoring ASCII case only. */
    private static boolean ascii(String s, int pos, String word) {
        if (pos < 0 || pos + word.length() > s.length()) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            char c = s.charAt(pos + i);
            char lower = c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
            if (lower != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isReplyOrForward(Container container) {
        return container.message != null && isReplyOrForward(container.message.subject());
    }

    private static void sortTree(List<Container> roots) {
        for (Container container : postOrder(roots)) {
            container.children.sort(Comparator.comparing(Container::representative, BY_DATE));
        }
    }

    private static List<ThreadNode> forest(List<Container> roots) {
        Map<Container, ThreadNode> nodes = new IdentityHashMap<>();
        for (Container container : postOrder(roots)) {
            List<ThreadNode> children = new ArrayList<>(container.children.size());
            for (Container child : container.children) {
                children.add(nodes.remove(child));
            }
            Message message = container.message;
            nodes.put(container, message == null ? new ThreadNode(0, 0, children)
                    : new ThreadNode(message.sequenceNumber(), message.uid(), children));
        }
        List<ThreadNode> forest = new ArrayList<>(roots.size());
        for (Container root : roots) {
            forest.add(nodes.get(root));
        }
        return forest;
    }
}
