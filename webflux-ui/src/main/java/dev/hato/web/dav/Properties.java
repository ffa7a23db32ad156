package dev.hato.web.dav;

import dev.hato.store.contacts.AddressBook;
import dev.hato.store.contacts.AddressBooks;
import dev.hato.store.contacts.Contact;
import dev.hato.web.login.WebUser;
import dev.hato.web.setup.Xml;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.namespace.QName;

/**
 * The live properties of each kind of resource, their content as XML: what PROPFIND and the REPORTs answer with
 * (RFC 4918 §15, RFC 5397 current-user-principal, RFC 6352 §6–7, RFC 6578 sync-token, CalendarServer's getctag).
 */
final class Properties {

    static final QName RESOURCETYPE = dav("resourcetype");
    static final QName DISPLAYNAME = dav("displayname");
    static final QName GETETAG = dav("getetag");
    static final QName SYNC_TOKEN = dav("sync-token");
    static final QName ADDRESS_DATA = new QName(DavXml.CARDDAV, "address-data");

    private static final String PRINCIPAL_HREF = href(DavPath.PRINCIPAL);
    private static final String PRIVILEGES = "<d:privilege><d:read/></d:privilege><d:privilege><d:write/>"
            + "</d:privilege><d:privilege><d:write-content/></d:privilege><d:privilege><d:bind/></d:privilege>"
            + "<d:privilege><d:unbind/></d:privilege><d:privilege><d:read-current-user-privilege-set/></d:privilege>";
    private static final String REPORTS = report("card:addressbook-multiget") + report("card:addressbook-query")
            + report("d:sync-collection");

    private Properties() { }

    static QName dav(String local) {
        return new QName(DavXml.DAV, local);
    }

    private static QName card(String local) {
        return new QName(DavXml.CARDDAV, local);
    }

    private static String href(String path) {
        return "<d:href>" + Xml.escape(path) + "</d:href>";
    }

    private static String report(String name) {
        return "<d:supported-report><d:report><" + name + "/></d:report></d:supported-report>";
    }

    private static Map<QName, String> common() {
        Map<QName, String> props = new LinkedHashMap<>();
        props.put(dav("current-user-principal"), PRINCIPAL_HREF);
        props.put(dav("owner"), PRINCIPAL_HREF);
        props.put(dav("current-user-privilege-set"), PRIVILEGES);
        return props;
    }

    /** A plain collection: the context path and the address book home. */
    static Map<QName, String> collection() {
        Map<QName, String> props = common();
        props.put(RESOURCETYPE, "<d:collection/>");
        return props;
    }

    static Map<QName, String> principal(WebUser user) {
        Map<QName, String> props = common();
        props.put(RESOURCETYPE, "<d:collection/><d:principal/>");
        props.put(DISPLAYNAME, Xml.escape(user.displayName().isEmpty() ? user.address() : user.displayName()));
        props.put(dav("principal-URL"), PRINCIPAL_HREF);
        props.put(card("addressbook-home-set"), href(DavPath.HOME));
        props.put(dav("principal-collection-set"), PRINCIPAL_HREF);
        return props;
    }

    static Map<QName, String> book(AddressBook book) {
        Map<QName, String> props = common();
        props.put(RESOURCETYPE, "<d:collection/><card:addressbook/>");
        props.put(DISPLAYNAME, Xml.escape(book.displayName()));
        props.put(new QName(DavXml.CALENDARSERVER, "getctag"), Long.toString(book.syncToken()));
        props.put(SYNC_TOKEN, Xml.escape(SyncToken.of(book.syncToken())));
        props.put(card("supported-address-data"), "<card:address-data-type content-type=\"text/vcard\""
                + " version=\"3.0\"/><card:address-data-type content-type=\"text/vcard\" version=\"4.0\"/>");
        props.put(card("max-resource-size"), Integer.toString(AddressBooks.MAX_VCARD_OCTETS));
        props.put(dav("supported-report-set"), REPORTS);
        return props;
    }

    static Map<QName, String> contact(Contact contact) {
        Map<QName, String> props = new LinkedHashMap<>();
        props.put(RESOURCETYPE, "");
        props.put(GETETAG, Xml.escape(contact.etag()));
        props.put(dav("getcontenttype"), "text/vcard; charset=utf-8");
        props.put(dav("getcontentlength"),
                Integer.toString(contact.vcard().getBytes(StandardCharsets.UTF_8).length));
        props.put(dav("getlastmodified"), DateTimeFormatter.RFC_1123_DATE_TIME.format(
                contact.updatedAt().atOffset(ZoneOffset.UTC)));
        return props;
    }
}
