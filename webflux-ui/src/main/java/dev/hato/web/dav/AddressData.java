package dev.hato.web.dav;

import dev.hato.contacts.ParsedCard;
import dev.hato.contacts.VCards;
import dev.hato.store.contacts.Contact;
import dev.hato.web.setup.Xml;
import java.util.Map;
import javax.xml.namespace.QName;

/** A contact's properties for a response, {@code CARDDAV:address-data} included when asked for. */
final class AddressData {

    private AddressData() { }

    static Map<QName, String> properties(Contact contact, PropRequest request) {
        Map<QName, String> props = Properties.contact(contact);
        if (request.wants(Properties.ADDRESS_DATA)) {
            props.put(Properties.ADDRESS_DATA, Xml.escape(text(contact, request)));
        }
        return props;
    }

    /** The vCard in the version asked for (as stored when none), trimmed to the properties asked for. */
    static String text(Contact contact, PropRequest request) {
        if (request.cardProps().isEmpty()) {
            return request.version() == null ? contact.vcard() : VCards.convert(contact.vcard(), request.version());
        }
        ParsedCard parsed = VCards.parseOne(contact.vcard());
        return VCards.write(VCards.only(parsed.card(), request.cardProps()),
                request.version() == null ? parsed.version() : request.version());
    }
}
