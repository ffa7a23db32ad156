package dev.hato.web.dav;

import dev.hato.web.setup.Xml;
import java.util.List;
import java.util.Map;
import javax.xml.namespace.QName;

/**
 * A 207 Multi-Status body (RFC 4918 §13): one {@code response} per resource, its properties grouped by status.
 * Properties of DAV:, CardDAV and CalendarServer get the prefixes declared on the root; any other namespace is
 * declared on the element itself.
 */
final class Multistatus {

    private final StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
            + "<d:multistatus xmlns:d=\"DAV:\" xmlns:card=\"" + DavXml.CARDDAV + "\" xmlns:cs=\""
            + DavXml.CALENDARSERVER + "\">");

    /**
     * A resource's properties: {@code found} with their content (XML, already escaped), {@code missing} reported as
     * 404 Not Found.
     */
    Multistatus response(String href, Map<QName, String> found, List<QName> missing) {
        xml.append("<d:response><d:href>").append(Xml.escape(href)).append("</d:href>");
        if (!found.isEmpty()) {
            xml.append("<d:propstat><d:prop>");
            found.forEach((name, content) -> xml.append(element(name, content)));
            xml.append("</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>");
        }
        if (!missing.isEmpty()) {
            xml.append("<d:propstat><d:prop>");
            missing.forEach(name -> xml.append(element(name, "")));
            xml.append("</d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>");
        }
        xml.append("</d:response>");
        return this;
    }

    /** A resource reported by status alone (a member removed, an href not found). */
    Multistatus status(String href, String status) {
        xml.append("<d:response><d:href>").append(Xml.escape(href)).append("</d:href><d:status>HTTP/1.1 ")
                .append(status).append("</d:status></d:response>");
        return this;
    }

    /** RFC 6578 §6.2: the token to ask with next time. */
    Multistatus syncToken(String token) {
        xml.append("<d:sync-token>").append(Xml.escape(token)).append("</d:sync-token>");
        return this;
    }

    String build() {
        return xml + "</d:multistatus>";
    }

    /** {@code <prefix:local>content</prefix:local>}, or the empty element when there is no content. */
    static String element(QName name, String content) {
        String prefix = prefix(name.getNamespaceURI());
        String tag = prefix == null ? "x:" + name.getLocalPart() : prefix + ":" + name.getLocalPart();
        String declaration = prefix == null ? " xmlns:x=\"" + Xml.escape(name.getNamespaceURI()) + "\"" : "";
        return content.isEmpty() ? "<" + tag + declaration + "/>"
                : "<" + tag + declaration + ">" + content + "</" + tag + ">";
    }

    private static @org.jspecify.annotations.Nullable String prefix(String namespace) {
        switch (namespace) {
            case DavXml.DAV:
                return "d";
            case DavXml.CARDDAV:
                return "card";
            case DavXml.CALENDARSERVER:
                return "cs";
            default:
                return null;
        }
    }

    /** An error body (RFC 4918 §16) naming the precondition that failed. */
    static String error(String namespace, String condition, String inner) {
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d:error xmlns:d=\"DAV:\" xmlns:card=\""
                + DavXml.CARDDAV + "\">" + element(new QName(namespace, condition), inner) + "</d:error>";
    }
}
