package dev.hato.web.dav;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.namespace.QName;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.jspecify.annotations.Nullable;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * Request bodies of WebDAV: parsed with a DTD refused outright, so no external entity is ever fetched and no entity
 * expands (XXE, billion laughs); the body's size is bounded before it gets here.
 */
final class DavXml {

    static final String DAV = "DAV:";
    static final String CARDDAV = "urn:ietf:params:xml:ns:carddav";
    static final String CALENDARSERVER = "http://calendarserver.org/ns/";

    private static final DocumentBuilderFactory FACTORY = factory();

    private DavXml() { }

    private static DocumentBuilderFactory factory() {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        try {
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser lacks a security feature", e);
        }
        factory.setNamespaceAware(true);
        factory.setXIncludeAware(false);
        factory.setExpandEntityReferences(false);
        return factory;
    }

    /** The document element of {@code body}, or null when the body is empty. */
    static @Nullable Element parse(byte[] body) {
        if (body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return null;
        }
        try {
            DocumentBuilder builder = FACTORY.newDocumentBuilder();
            builder.setErrorHandler(null);
            Document document = builder.parse(new ByteArrayInputStream(body));
            return document.getDocumentElement();
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new BadRequest("the request body is not well-formed XML without a DTD: " + e.getMessage());
        }
    }

    static QName name(Element element) {
        String ns = element.getNamespaceURI();
        return new QName(ns == null ? "" : ns, element.getLocalName());
    }

    static boolean is(Element element, String namespace, String local) {
        return namespace.equals(element.getNamespaceURI()) && local.equals(element.getLocalName());
    }

    static List<Element> children(Element parent) {
        List<Element> children = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element) {
                children.add((Element) node);
            }
        }
        return children;
    }

    static @Nullable Element child(Element parent, String namespace, String local) {
        for (Element child : children(parent)) {
            if (is(child, namespace, local)) {
                return child;
            }
        }
        return null;
    }

    /** A request the server cannot read: 400. */
    static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }
}
