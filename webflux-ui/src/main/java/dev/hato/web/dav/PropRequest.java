package dev.hato.web.dav;

import dev.hato.contacts.VCards;
import ezvcard.VCardVersion;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.xml.namespace.QName;
import org.jspecify.annotations.Nullable;
import org.w3c.dom.Element;

/**
 * The properties a PROPFIND or REPORT asks for: all (allprop, or no body; propname is answered as allprop) or those
 * named in {@code DAV:prop}; for {@code CARDDAV:address-data}, the vCard version asked for (null: as stored) and the
 * vCard properties to keep (empty: all).
 */
record PropRequest(boolean all, List<QName> names, @Nullable VCardVersion version, Set<String> cardProps) {

    static final PropRequest ALL = new PropRequest(true, List.of(), null, Set.of());

    /** From the element that holds {@code DAV:prop} (propfind, or a REPORT's root). */
    static PropRequest of(@Nullable Element holder) {
        Element prop = holder == null ? null : DavXml.child(holder, DavXml.DAV, "prop");
        if (prop == null) {
            return ALL;
        }
        List<QName> names = new ArrayList<>();
        VCardVersion version = null;
        Set<String> cardProps = new HashSet<>();
        for (Element child : DavXml.children(prop)) {
            QName name = DavXml.name(child);
            names.add(name);
            if (name.equals(Properties.ADDRESS_DATA)) {
                version = VCards.version(child.getAttribute("version"));
                for (Element wanted : DavXml.children(child)) {
                    if (DavXml.is(wanted, DavXml.CARDDAV, "prop")) {
                        cardProps.add(wanted.getAttribute("name").toUpperCase(Locale.ROOT));
                    }
                }
            }
        }
        return new PropRequest(false, names, version, cardProps);
    }

    boolean wants(QName name) {
        return names.contains(name);
    }

    /** Splits {@code available} into found and missing, and reports a resource so. */
    void respond(Multistatus status, String href, Map<QName, String> available) {
        if (all) {
            status.response(href, available, List.of());
            return;
        }
        Map<QName, String> found = new java.util.LinkedHashMap<>();
        List<QName> missing = new ArrayList<>();
        for (QName name : names) {
            String value = available.get(name);
            if (value == null) {
                missing.add(name);
            } else {
                found.put(name, value);
            }
        }
        status.response(href, found, missing);
    }
}
