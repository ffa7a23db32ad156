package dev.hato.web.compose;

import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.safety.Cleaner;
import org.jsoup.safety.Safelist;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * A message composed as HTML (the compose page's editor): what the browser sent, reduced to the formatting the
 * editor makes (paragraphs, bold, italic, underline, strike-through, headings, lists, quotes, links, code), and the
 * plain text sent beside it in multipart/alternative (RFC 2046 §5.1.4) for readers that show only text: paragraphs
 * and line breaks kept, list items marked, quotes prefixed with "> ", a link's address after its words.
 */
final class RichText {

    private static final Safelist ALLOWED = Safelist.basic()
            .addTags("div", "h1", "h2", "h3", "hr", "s", "del", "ins")
            .removeProtocols("a", "href", "ftp")
            .removeEnforcedAttribute("a", "rel");

    private static final Set<String> BLOCKS = Set.of("p", "div", "h1", "h2", "h3", "ul", "ol", "li", "blockquote",
            "pre", "hr", "dl", "dt", "dd");

    private RichText() { }

    /** The quoting marks a line gets at most ("> > > ..."): deeper quotes line up with the last. */
    static final int MAX_QUOTE_DEPTH = 8;

    /** What the editor sent, cleaned, and its plain text: one parse. */
    record Composed(String html, String text) {
        /** Whether it shows nothing at all (an editor left empty). */
        boolean isEmpty() {
            return text.isBlank() && !html.contains("<hr");
        }
    }

    /**
     * The editor's HTML with only the allowed elements and attributes left (the body of the text/html part), and the
     * plain text of that (the text/plain part). Linear in the input's size.
     */
    static Composed compose(String html) {
        Document clean = new Cleaner(ALLOWED).clean(Jsoup.parseBodyFragment(html));
        clean.outputSettings().prettyPrint(false);
        Writer writer = new Writer();
        NodeTraversor.traverse(writer, clean.body());
        return new Composed(clean.body().html(), writer.result());
    }

    /** The whole text/html part's document. */
    static String document(String cleanHtml) {
        return "<!DOCTYPE html>\n<html><head><meta charset=\"UTF-8\"></head><body>\n" + cleanHtml + "\n</body></html>\n";
    }

    /** Walks the tree without recursion (the editor's nesting is as deep as the person made it). */
    private static final class Writer implements NodeVisitor {
        private final StringBuilder out = new StringBuilder();
        /** The next number of each open list, innermost first (0 for a bulleted one). */
        private final java.util.ArrayDeque<int[]> lists = new java.util.ArrayDeque<>();
        private int quoteDepth;
        private boolean lineStart = true;

        @Override
        public void head(Node node, int depth) {
            if (node instanceof TextNode text) {
                String words = text.getWholeText();
                if (!inPre(node)) {
                    words = words.replaceAll("\\s+", " ");
                    if (lineStart) {
                        words = words.stripLeading();
                    }
                }
                append(words);
                return;
            }
            if (!(node instanceof Element element)) {
                return;
            }
            String name = element.normalName();
            switch (name) {
                case "br" -> newline();
                case "hr" -> {
                    block();
                    append("----------");
                    newline();
                }
                case "blockquote" -> {
                    block();
                    quoteDepth++;
                }
                case "ol", "ul" -> {
                    block();
                    lists.push(new int[] {name.equals("ol") ? 1 : 0});
                }
                case "li" -> {
                    block();
                    int[] next = lists.peek();
                    if (next != null && next[0] > 0) {
                        append(next[0]++ + ". ");
                    } else {
                        append("* ");
                    }
                }
                default -> {
                    if (BLOCKS.contains(name)) {
                        block();
                    }
                }
            }
        }

        @Override
        public void tail(Node node, int depth) {
            if (!(node instanceof Element element)) {
                return;
            }
            String name = element.normalName();
            if (name.equals("a")) {
                String href = element.attr("href");
                if (!href.isEmpty() && !href.equals(element.text()) && !href.equals("mailto:" + element.text())) {
                    append(" <" + href + ">");
                }
            } else if (name.equals("blockquote")) {
                block();
                quoteDepth--;
            } else if (name.equals("ol") || name.equals("ul")) {
                block();
                lists.pop();
            } else if (BLOCKS.contains(name)) {
                block();
            }
        }

        private static boolean inPre(Node node) {
            for (Node up = node.parent(); up != null; up = up.parent()) {
                if (up instanceof Element element && element.normalName().equals("pre")) {
                    return true;
                }
            }
            return false;
        }

        /** Ends the line unless it is already ended. */
        private void block() {
            if (!lineStart) {
                newline();
            }
        }

        private void newline() {
            if (lineStart && quoteDepth > 0) {
                out.append(">".repeat(Math.min(quoteDepth, MAX_QUOTE_DEPTH)));
            }
            out.append('\n');
            lineStart = true;
        }

        private void append(String text) {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '\n') {
                    newline();
                    continue;
                }
                if (lineStart) {
                    if (quoteDepth > 0) {
                        out.append(">".repeat(Math.min(quoteDepth, MAX_QUOTE_DEPTH))).append(' ');
                    }
                    lineStart = false;
                }
                out.append(c == '\u00a0' ? ' ' : c);
            }
        }

        String result() {
            String text = out.toString().replaceAll("[ \\t]+\n", "\n").replaceAll("\n{3,}", "\n\n").strip();
            return text + "\n";
        }
    }
}
