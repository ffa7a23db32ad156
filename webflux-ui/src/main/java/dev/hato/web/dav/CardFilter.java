package dev.hato.web.dav;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.w3c.dom.Element;

/**
 * addressbook-query's filter (RFC 6352 §10.5): prop-filters combined by {@code test} (anyof by default), each with
 * is-not-defined, text-matches and param-filters. Collations: {@code i;unicode-casemap} (the default; approximated by
 * Unicode lower-casing, without RFC 5051's normalisation), {@code i;ascii-casemap} and {@code i;octet}.
 */
record CardFilter(boolean allOf, List<PropFilter> props) {

    record TextMatch(String text, String collation, String matchType, boolean negate) {

        boolean matches(String value) {
            String v = fold(value);
            String t = fold(text);
            boolean hit;
            switch (matchType) {
                case "equals":
                    hit = v.equals(t);
                    break;
                case "starts-with":
                    hit = v.startsWith(t);
                    break;
                case "ends-with":
                    hit = v.endsWith(t);
                    break;
                default:
                    hit = v.contains(t);
            }
            return hit != negate;
        }

        private String fold(String s) {
            switch (collation) {
                case "i;octet":
                    return s;
                case "i;ascii-casemap":
                    return dev.hato.message.AsciiCasemap.lower(s);
                default:
                    return s.toLowerCase(Locale.ROOT);
            }
        }
    }

    record ParamFilter(String name, boolean notDefined, @Nullable TextMatch match) {

        boolean matches(CardLines.Line line) {
            List<String> values = line.parameters().get(name);
            if (notDefined) {
                return values == null;
            }
            if (values == null) {
                return false;
            }
            return match == null || values.stream().anyMatch(match::matches);
        }
    }

    record PropFilter(String name, boolean allOf, boolean notDefined, List<TextMatch> texts,
                      List<ParamFilter> params) {

        boolean matches(List<CardLines.Line> lines) {
            List<CardLines.Line> named = lines.stream().filter(line -> line.name().equals(name)).toList();
            if (notDefined) {
                return named.isEmpty();
            }
            if (texts.isEmpty() && params.isEmpty()) {
                return !named.isEmpty();
            }
            return named.stream().anyMatch(this::matches);
        }

        private boolean matches(CardLines.Line line) {
            List<Boolean> results = new ArrayList<>();
            texts.forEach(text -> results.add(text.matches(line.value())));
            params.forEach(param -> results.add(param.matches(line)));
            return allOf ? !results.contains(false) : results.contains(true);
        }
    }

    /** Every card matches when there is no filter. */
    static CardFilter parse(@Nullable Element filter) {
        if (filter == null) {
            return new CardFilter(false, List.of());
        }
        List<PropFilter> props = new ArrayList<>();
        for (Element prop : DavXml.children(filter)) {
            if (DavXml.is(prop, DavXml.CARDDAV, "prop-filter")) {
                props.add(propFilter(prop));
            }
        }
        return new CardFilter(allOf(filter), props);
    }

    private static PropFilter propFilter(Element prop) {
        List<TextMatch> texts = new ArrayList<>();
        List<ParamFilter> params = new ArrayList<>();
        for (Element child : DavXml.children(prop)) {
            if (DavXml.is(child, DavXml.CARDDAV, "text-match")) {
                texts.add(textMatch(child));
            } else if (DavXml.is(child, DavXml.CARDDAV, "param-filter")) {
                Element text = DavXml.child(child, DavXml.CARDDAV, "text-match");
                params.add(new ParamFilter(upperName(child),
                        DavXml.child(child, DavXml.CARDDAV, "is-not-defined") != null,
                        text == null ? null : textMatch(text)));
            }
        }
        return new PropFilter(upperName(prop), allOf(prop),
                DavXml.child(prop, DavXml.CARDDAV, "is-not-defined") != null, texts, params);
    }

    private static TextMatch textMatch(Element element) {
        String collation = element.getAttribute("collation");
        String matchType = element.getAttribute("match-type");
        return new TextMatch(element.getTextContent(), collation.isEmpty() ? "i;unicode-casemap" : collation,
                matchType.isEmpty() ? "contains" : matchType, "yes".equals(element.getAttribute("negate-condition")));
    }

    private static String upperName(Element element) {
        return element.getAttribute("name").toUpperCase(Locale.ROOT);
    }

    private static boolean allOf(Element element) {
        return "allof".equals(element.getAttribute("test"));
    }

    boolean matches(String vcard) {
        if (props.isEmpty()) {
            return true;
        }
        List<CardLines.Line> lines = CardLines.of(vcard);
        return allOf ? props.stream().allMatch(p -> p.matches(lines)) : props.stream().anyMatch(p -> p.matches(lines));
    }
}
