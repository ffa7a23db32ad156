package dev.hato.imap.fetch;

import dev.hato.message.EncodedWords;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Formats an RFC 5322 §3.4 address list as the parenthesised list of RFC 3501 §7.4.2 address structures
 * {@code (name adl mailbox host)}, with group syntax as a {@code (NIL NIL "group" NIL)} start and a
 * {@code (NIL NIL NIL NIL)} end. Display names are returned as in the message: encoded words are not decoded and
 * 8-bit octets are kept; only quoting is removed and words are joined by single spaces. As Dovecot does, an address
 * without a display name takes its trailing comment as name, and a missing local part or domain is reported as
 * {@code MISSING_MAILBOX} or {@code MISSING_DOMAIN} so that an address is never mistaken for a group marker.
 */
final class EnvelopeAddresses {

    static final String MISSING_MAILBOX = "MISSING_MAILBOX";
    static final String MISSING_DOMAIN = "MISSING_DOMAIN";

    private enum Type {
        ATOM, QUOTED, LITERAL, SPECIAL
    }

    private record Token(Type type, String text) {

        boolean is(char special) {
            return type == Type.SPECIAL && text.charAt(0) == special;
        }

        /** How the token reads inside a local part: a quoted string keeps its quotes. */
        String raw() {
            if (type != Type.QUOTED) {
                return text;
            }
            return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
    }

    /**
     * One RFC 3501 §7.4.2 address structure; a group start has only {@code mailbox} (the group's name), a group end
     * nothing.
     */
    private record Address(@Nullable String name, @Nullable String route, @Nullable String mailbox,
                           @Nullable String host) {
    }

    private final List<Token> tokens = new ArrayList<>();
    private final List<@Nullable String> comments = new ArrayList<>();
    private int pos;
    private final List<Address> addresses = new ArrayList<>();

    private EnvelopeAddresses(String value) {
        tokenize(value);
    }

    /** The address list of a header value; NIL when the header is absent or holds no address. */
    static void format(StringBuilder out, @Nullable String value) {
        if (value == null) {
            out.append("NIL");
            return;
        }
        EnvelopeAddresses list = new EnvelopeAddresses(value);
        list.parseList();
        if (list.addresses.isEmpty()) {
            out.append("NIL");
            return;
        }
        out.append('(');
        for (Address address : list.addresses) {
            out.append('(');
            ImapText.nstring(out, address.name());
            out.append(' ');
            ImapText.nstring(out, address.route());
            out.append(' ');
            ImapText.nstring(out, address.mailbox());
            out.append(' ');
            ImapText.nstring(out, address.host());
            out.append(')');
        }
        out.append(')');
    }

    /**
     * The address list of a header value (as text: 8-bit octets already decoded) as SEARCH FROM, TO, CC and BCC see
     * it: RFC 3501 §6.4.4 looks for their string in "the envelope structure's" field, that is in the addresses as
     * parsed, not in the header's spelling of them. Each mailbox reads {@code name <local@domain>} (or
     * {@code local@domain} without a name): the display name's words joined by single spaces whatever folding or
     * quoting separated them, its RFC 2047 encoded words decoded (also inside quotes, and adjacent words of one
     * charset joined before decoding, see {@link dev.hato.message.EncodedWords}), the local part without its quotes,
     * comments gone (a trailing comment of a bare address is its name, as in ENVELOPE); mailboxes are separated by
     * {@code ", "}, a group reads {@code name: members;}. Empty when the value holds no address.
     */
    static String searchText(String value) {
        EnvelopeAddresses list = new EnvelopeAddresses(value);
        list.parseList();
        StringBuilder text = new StringBuilder();
        for (Address address : list.addresses) {
            if (address.mailbox() == null) { // a group's end
                text.append(';');
                continue;
            }
            if (!text.isEmpty()) {
                text.append(text.charAt(text.length() - 1) == ':' ? " " : ", ");
            }
            if (address.host() == null) { // a group's start
                text.append(EncodedWords.decode(address.mailbox())).append(':');
                continue;
            }
            String local = address.mailbox().equals(MISSING_MAILBOX) ? "" : unquoted(address.mailbox());
            String spec = address.host().equals(MISSING_DOMAIN) ? local : local + "@" + address.host();
            if (address.name() == null) {
                text.append(spec);
            } else {
                text.append(EncodedWords.decode(address.name())).append(" <").append(spec).append('>');
            }
        }
        return text.toString();
    }

    /** A local part as its words read: quoted strings without their quotes and backslashes. */
    private static String unquoted(String local) {
        StringBuilder text = new StringBuilder(local.length());
        boolean quoted = false;
        for (int i = 0; i < local.length(); i++) {
            char c = local.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\\' && quoted && i + 1 < local.length()) {
                text.append(local.charAt(++i));
            } else {
                text.append(c);
            }
        }
        return text.toString();
    }

    /** True when a header value holds at least one address or group, which decides Sender/Reply-To defaults. */
    static boolean hasAddresses(@Nullable String value) {
        if (value == null) {
            return false;
        }
        EnvelopeAddresses list = new EnvelopeAddresses(value);
        list.parseList();
        return !list.addresses.isEmpty();
    }

    private void tokenize(String value) {
        int i = 0;
        String comment;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                i++;
            } else if (c == '(') {
                int depth = 0;
                StringBuilder text = new StringBuilder();
                while (i < value.length()) {
                    char d = value.charAt(i++);
                    if (d == '\\' && i < value.length()) {
                        text.append(value.charAt(i++));
                        continue;
                    }
                    if (d == '(') {
                        depth++;
                        if (depth == 1) {
                            continue;
                        }
                    } else if (d == ')' && --depth == 0) {
                        break;
                    }
                    text.append(d);
                }
                comment = text.toString().strip();
                if (!comments.isEmpty() && comments.get(comments.size() - 1) == null && !tokens.isEmpty()) {
                    comments.set(comments.size() - 1, comment);
                }
            } else if (c == '"') {
                StringBuilder text = new StringBuilder();
                i++;
                while (i < value.length()) {
                    char d = value.charAt(i++);
                    if (d == '"') {
                        break;
                    }
                    if (d == '\\' && i < value.length()) {
                        d = value.charAt(i++);
                    }
                    if (d != '\r' && d != '\n') {
                        text.append(d);
                    }
                }
                add(new Token(Type.QUOTED, text.toString()));
            } else if (c == '[') {
                int end = value.indexOf(']', i);
                end = end < 0 ? value.length() : end + 1;
                add(new Token(Type.LITERAL, value.substring(i, end)));
                i = end;
            } else if ("<>@,;:.\\]".indexOf(c) >= 0) {
                add(new Token(Type.SPECIAL, String.valueOf(c)));
                i++;
            } else {
                int start = i;
                while (i < value.length() && " \t\r\n()\"[<>@,;:.\\]".indexOf(value.charAt(i)) < 0) {
                    i++;
                }
                add(new Token(Type.ATOM, value.substring(start, i)));
            }
        }
    }

    private void add(Token token) {
        tokens.add(token);
        comments.add(null);
    }

    private @Nullable Token peek() {
        return pos < tokens.size() ? tokens.get(pos) : null;
    }

    private void parseList() {
        while (pos < tokens.size()) {
            Token token = peek();
            if (token != null && (token.is(',') || token.is(';') || token.is('>'))) {
                pos++;
                continue;
            }
            parseAddressOrGroup(true);
        }
    }

    private void parseAddressOrGroup(boolean groupAllowed) {
        int phraseStart = pos;
        List<Token> phrase = new ArrayList<>();
        while (true) {
            Token token = peek();
            if (token == null || token.is('<') || token.is('@') || token.is(',') || token.is(';')
                    || token.is(':') || token.is('>')) {
                break;
            }
            phrase.add(token);
            pos++;
        }
        Token next = peek();
        if (next != null && next.is(':') && groupAllowed) {
            pos++;
            address(null, null, phrase(phrase), null);
            while (true) {
                Token token = peek();
                if (token == null) {
                    break;
                }
                if (token.is(';')) {
                    pos++;
                    break;
                }
                if (token.is(',')) {
                    pos++;
                    continue;
                }
                parseAddressOrGroup(false);
            }
            address(null, null, null, null);
            return;
        }
        if (next != null && next.is('<')) {
            pos++;
            String name = phrase.isEmpty() ? null : phrase(phrase);
            String route = route();
            String mailbox = localPart();
            String host = null;
            if (peek() != null && peek().is('@')) {
                pos++;
                host = domain();
            }
            while (peek() != null && !peek().is('>') && !peek().is(',') && !peek().is(';')) {
                pos++;
            }
            if (peek() != null && peek().is('>')) {
                pos++;
            }
            address(name, route, mailbox.isEmpty() ? MISSING_MAILBOX : mailbox, host == null || host.isEmpty()
                    ? MISSING_DOMAIN : host);
            return;
        }
        StringBuilder local = new StringBuilder();
        for (Token token : phrase) {
            local.append(token.raw());
        }
        String host = null;
        if (next != null && next.is('@')) {
            pos++;
            host = domain();
        }
        if (local.isEmpty() && host == null) {
            if (pos == phraseStart && next != null) {
                pos++; // a stray special such as ':' or '>' here: skip it so parsing always moves on
            }
            return;
        }
        String comment = null;
        for (int i = pos - 1; i >= phraseStart && comment == null; i--) {
            comment = comments.get(i);
        }
        address(comment == null || comment.isEmpty() ? null : comment, null,
                local.isEmpty() ? MISSING_MAILBOX : local.toString(),
                host == null || host.isEmpty() ? MISSING_DOMAIN : host);
    }

    /** An obsolete source route {@code @a,@b:} (RFC 5322 §4.4), returned as IMAP's adl. */
    private @Nullable String route() {
        if (peek() == null || !peek().is('@')) {
            return null;
        }
        int start = pos;
        StringBuilder route = new StringBuilder();
        while (peek() != null && (peek().is('@') || peek().is(','))) {
            route.append(tokens.get(pos++).text());
            if (route.charAt(route.length() - 1) == '@') {
                route.append(domain());
            }
        }
        if (peek() != null && peek().is(':')) {
            pos++;
            return route.toString();
        }
        pos = start;
        return null;
    }

    private String localPart() {
        StringBuilder local = new StringBuilder();
        while (peek() != null && !peek().is('@') && !peek().is('>') && !peek().is(',') && !peek().is(';')) {
            local.append(tokens.get(pos++).raw());
        }
        return local.toString();
    }

    private String domain() {
        StringBuilder domain = new StringBuilder();
        while (peek() != null && (peek().type() == Type.ATOM || peek().type() == Type.LITERAL || peek().is('.'))) {
            domain.append(tokens.get(pos++).text());
        }
        return domain.toString();
    }

    /** A display name: words joined by single spaces, a period attached to the word before it (obs-phrase). */
    private static String phrase(List<Token> words) {
        StringBuilder name = new StringBuilder();
        for (Token word : words) {
            if (!name.isEmpty() && !word.is('.')) {
                name.append(' ');
            }
            name.append(word.text());
        }
        return name.toString();
    }

    private void address(@Nullable String name, @Nullable String route, @Nullable String mailbox,
            @Nullable String host) {
        addresses.add(new Address(name, route, mailbox, host));
    }
}
