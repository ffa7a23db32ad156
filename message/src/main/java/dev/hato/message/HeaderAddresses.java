package dev.hato.message;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What SORT, THREAD and Sieve need from address and message-id fields: the mailboxes of an address list (RFC 5322
 * §3.4, groups flattened) and the msg-ids of References or In-Reply-To (§3.6.4). Tolerant of what mail
 * actually carries: comments anywhere, quoted local parts, obsolete routes, words between msg-ids.
 */
public final class HeaderAddresses {

    /** A mailbox: its addr-spec ({@code local@domain}, or only the local part) and its display name, if any. */
    public record Mailbox(String address, @Nullable String displayName) {
    }

    private HeaderAddresses() {
    }

    /** The first mailbox of an address list, or null when it has none. */
    public static @Nullable Mailbox first(@Nullable String value) {
        List<Mailbox> found = mailboxes(value, 1);
        return found.isEmpty() ? null : found.get(0);
    }

    /** Every mailbox of an address list in order, the members of groups included; empty groups give none. */
    public static List<Mailbox> all(@Nullable String value) {
        return mailboxes(value, Integer.MAX_VALUE);
    }

    private static List<Mailbox> mailboxes(@Nullable String value, int most) {
        List<Mailbox> found = new ArrayList<>();
        if (value == null) {
            return found;
        }
        List<String> phrase = new ArrayList<>();
        StringBuilder bare = new StringBuilder();
        int i = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c == '(') {
                i = skipComment(value, i);
            } else if (c == '"') {
                StringBuilder quoted = new StringBuilder();
                i = quoted(value, i, quoted);
                phrase.add(quoted.toString());
                bare.append('"').append(quoted).append('"');
            } else if (c == '<') {
                int close = value.indexOf('>', i);
                String inside = value.substring(i + 1, close < 0 ? value.length() : close);
                int route = inside.lastIndexOf(':'); // RFC 5322 §4.4 obs-route
                String address = stripComments(route >= 0 ? inside.substring(route + 1) : inside).strip();
                if (!address.isEmpty()) {
                    String name = String.join(" ", phrase).strip();
                    found.add(new Mailbox(address, name.isEmpty() ? null : name));
                    if (found.size() >= most) {
                        return found;
                    }
                }
                phrase.clear();
                bare.setLength(0);
                i = close < 0 ? value.length() : close + 1;
            } else if (c == ':') {
                // a group's display name ends here; its members follow
                phrase.clear();
                bare.setLength(0);
                i++;
            } else if (c == ',' || c == ';') {
                String address = bare.toString().strip();
                if (!address.isEmpty()) {
                    found.add(new Mailbox(address, null));
                    if (found.size() >= most) {
                        return found;
                    }
                }
                phrase.clear();
                bare.setLength(0);
                i++;
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                i++;
            } else if (c == '>' || c == ')') {
                // A stray closing bracket (no '<' or '(' opened it): not part of any word. Skipped, or the loop
                // would stand still on it (found by fuzzing: an endless loop filling memory with empty words).
                i++;
            } else {
                int start = i;
                while (i < value.length() && "()<>\",;: \t\r\n".indexOf(value.charAt(i)) < 0) {
                    i++;
                }
                String word = value.substring(start, i);
                phrase.add(word);
                bare.append(word);
            }
        }
        String address = bare.toString().strip();
        if (!address.isEmpty()) {
            found.add(new Mailbox(address, null));
        }
        return found;
    }

    /** The msg-ids ({@code <id-left@id-right>}, brackets kept) of a References or In-Reply-To value, in order. */
    public static List<String> messageIds(@Nullable String value) {
        List<String> ids = new ArrayList<>();
        if (value == null) {
            return ids;
        }
        String text = stripComments(value);
        int i = 0;
        while ((i = text.indexOf('<', i)) >= 0) {
            int close = text.indexOf('>', i);
            if (close < 0) {
                break;
            }
            String id = text.substring(i + 1, close).replaceAll("[ \\t\\r\\n]", "");
            if (!id.isEmpty() && id.indexOf('<') < 0 && id.indexOf('@') > 0) {
                ids.add("<" + id + ">");
            }
            i = close + 1;
        }
        return ids;
    }

    private static int skipComment(String value, int start) {
        int depth = 0;
        int i = start;
        while (i < value.length()) {
            char c = value.charAt(i++);
            if (c == '\\') {
                i++;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                break;
            }
        }
        return i;
    }

    private static int quoted(String value, int start, StringBuilder out) {
        int i = start + 1;
        while (i < value.length()) {
            char c = value.charAt(i++);
            if (c == '"') {
                break;
            }
            if (c == '\\' && i < value.length()) {
                c = value.charAt(i++);
            }
            out.append(c);
        }
        return i;
    }

    private static String stripComments(String value) {
        StringBuilder out = new StringBuilder(value.length());
        int i = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c == '(') {
                i = skipComment(value, i);
            } else if (c == '"') {
                int end = value.indexOf('"', i + 1);
                end = end < 0 ? value.length() : end + 1;
                out.append(value, i, end);
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
