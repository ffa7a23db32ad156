package dev.hato.web.mail;

import java.util.ArrayList;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.safety.Cleaner;
import org.jsoup.safety.Safelist;

/**
 * The HTML of a message made safe to show: jsoup's cleaner keeps an allow-list of formatting elements and attributes
 * (no script, no event handler, no form, no frame, no object, no SVG, no meta, no base, no link), links only to
 * {@code http}, {@code https} and {@code mailto}, each opening a new browsing context without a referrer. Images
 * embedded in the message ({@code cid:}) become {@code data:} URLs; remote images are blocked (their address kept
 * in {@code data-hato-src}) unless the reader allowed them. The result is a whole document, shown in a sandboxed
 * frame without scripts under a policy of its own ({@link #POLICY}): three layers, so a gap in one is not an XSS.
 */
final class SafeHtml {

    /** The frame's Content-Security-Policy: nothing runs, nothing loads but embedded images and inline styles. */
    static final String POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src 'none'; "
            + "form-action 'none'; base-uri 'none'; frame-ancestors 'self'; "
            + "sandbox allow-popups allow-popups-to-escape-sandbox";
    /** The policy once the reader allowed remote images. */
    static final String POLICY_WITH_IMAGES = POLICY.replace("img-src data:", "img-src data: https: http:");

    private static final Pattern IMAGE_DATA = Pattern.compile("^data:image/(png|gif|jpeg|webp|bmp);base64,[A-Za-z0-9+/=\\s]*$",
            Pattern.CASE_INSENSITIVE);

    private static final Safelist ALLOWED = Safelist.relaxed()
            .addTags("font", "center", "hr", "abbr", "bdi", "bdo", "del", "ins", "mark", "s", "small", "strike",
                    "tt", "wbr", "figure", "figcaption", "section", "article", "header", "footer", "main", "nav",
                    "aside", "style")
            .addAttributes(":all", "style", "class", "id", "align", "valign", "bgcolor", "dir", "lang", "title",
                    "width", "height")
            .addAttributes("font", "color", "face", "size")
            .addAttributes("table", "border", "cellpadding", "cellspacing", "background")
            .addAttributes("td", "nowrap", "background")
            .addAttributes("th", "nowrap", "background")
            .addAttributes("style", "type", "media")
            .addProtocols("img", "src", "http", "https", "cid", "data")
            .addProtocols("a", "href", "http", "https", "mailto")
            .removeProtocols("blockquote", "cite", "http", "https")
            .removeAttributes("blockquote", "cite")
            .removeAttributes("q", "cite");

    private SafeHtml() { }

    /**
     * @param html the message's HTML, decoded to text
     * @param embedded {@code data:} URLs of the message's images, by Content-ID (without angle brackets)
     * @param remoteImages whether remote images may load
     * @return a whole HTML document
     */
    static String clean(String html, Map<String, String> embedded, boolean remoteImages) {
        Document dirty = Jsoup.parse(html);
        // The cleaner copies the body only: style sheets of the head go first into it.
        for (Element style : dirty.head().select("style")) {
            dirty.body().prependChild(style);
        }
        Document clean = new Cleaner(ALLOWED).clean(dirty);
        for (Element image : clean.select("img")) {
            String source = image.attr("src").strip();
            String lower = source.toLowerCase(Locale.ROOT);
            if (lower.startsWith("cid:")) {
                String data = embedded.get(source.substring(4));
                if (data != null) {
                    image.attr("src", data);
                } else {
                    image.removeAttr("src");
                }
            } else if (lower.startsWith("data:")) {
                if (!IMAGE_DATA.matcher(source).matches()) {
                    image.removeAttr("src");
                }
            } else if (!remoteImages) {
                image.removeAttr("src");
                image.attr("data-hato-src", source);
            }
        }
        for (Element link : clean.select("a[href]")) {
            link.attr("target", "_blank");
            link.attr("rel", "noopener noreferrer");
        }
        for (Element element : clean.select("[background]")) {
            // A table's background image is a remote load CSS cannot see: only embedded ones stay.
            String source = element.attr("background");
            if (!IMAGE_DATA.matcher(source).matches()) {
                element.removeAttr("background");
            }
        }
        clean.outputSettings().prettyPrint(false).charset("UTF-8");
        Document page = Document.createShell("");
        page.head().appendElement("meta").attr("charset", "utf-8");
        page.head().appendElement("meta").attr("name", "referrer").attr("content", "no-referrer");
        page.head().appendElement("style").appendText(
                "body{font-family:system-ui,sans-serif;margin:0;padding:.5rem;overflow-wrap:anywhere}"
                        + "img{max-width:100%;height:auto}");
        for (Element style : clean.select("style")) {
            page.head().appendChild(style); // moved, not serialised and parsed again (no mutation on the way)
        }
        for (Node node : new ArrayList<>(clean.body().childNodes())) {
            page.body().appendChild(node);
        }
        page.outputSettings().prettyPrint(false).charset("UTF-8");
        return page.outerHtml();
    }
}
