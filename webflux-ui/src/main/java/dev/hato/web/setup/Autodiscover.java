package dev.hato.web.setup;

import java.io.StringReader;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.jspecify.annotations.Nullable;

/**
 * Outlook's "POX" autodiscover ({@code POST /autodiscover/autodiscover.xml}, MS-OXDSCLI): the request names an
 * address; the answer gives IMAP, POP3 and SMTP over implicit TLS. No {@code LoginName} is sent: the auth ID is not
 * derived from the address and must not be revealed to whoever knows one, so Outlook asks the person for it.
 */
public final class Autodiscover {

    static final String RESPONSE_SCHEMA = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";
    /** A request is a few hundred octets; anything beyond this is refused unread. */
    static final int MAX_REQUEST = 16 * 1024;

    private Autodiscover() { }

    /** The EMailAddress of a request, or null when the request is not one (DTDs and entities are refused). */
    static @Nullable String address(String request) {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        try {
            factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        } catch (IllegalArgumentException ignored) {
            // A StAX implementation without the property: DTD support is off anyway.
        }
        XMLStreamReader reader = null;
        try {
            reader = factory.createXMLStreamReader(new StringReader(request));
            while (reader.hasNext()) {
                int event = reader.next();
                if (event == XMLStreamConstants.DTD) {
                    return null;
                }
                if (event == XMLStreamConstants.START_ELEMENT && "EMailAddress".equals(reader.getLocalName())) {
                    String text = reader.getElementText().strip();
                    return Addresses.domain(text) == null ? null : text;
                }
            }
            return null;
        } catch (XMLStreamException e) {
            return null;
        } finally {
            if (reader != null) {
                try {
                    reader.close();
                } catch (XMLStreamException ignored) {
                    // nothing held
                }
            }
        }
    }

    static String render(ClientSettings settings, String address) {
        String host = Xml.escape(settings.hostName());
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                + "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n"
                + "  <Response xmlns=\"" + RESPONSE_SCHEMA + "\">\n"
                + "    <User><DisplayName>" + Xml.escape(address) + "</DisplayName></User>\n"
                + "    <Account>\n"
                + "      <AccountType>email</AccountType>\n"
                + "      <Action>settings</Action>\n"
                + protocol("IMAP", host, settings.imaps())
                + protocol("POP3", host, settings.pop3s())
                + protocol("SMTP", host, settings.submissions())
                + "    </Account>\n"
                + "  </Response>\n"
                + "</Autodiscover>\n";
    }

    private static String protocol(String type, String host, int port) {
        return "      <Protocol>\n"
                + "        <Type>" + type + "</Type>\n"
                + "        <Server>" + host + "</Server>\n"
                + "        <Port>" + port + "</Port>\n"
                + "        <DomainRequired>off</DomainRequired>\n"
                + "        <SPA>off</SPA>\n"
                + "        <SSL>on</SSL>\n"
                + "        <Encryption>SSL</Encryption>\n"
                + "        <AuthRequired>on</AuthRequired>\n"
                + "      </Protocol>\n";
    }
}
