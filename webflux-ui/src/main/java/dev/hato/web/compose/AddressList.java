package dev.hato.web.compose;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The addresses typed into To, Cc or Bcc: separated by commas, semicolons or line breaks, each an address alone or
 * {@code Name <address>} (the name may be quoted, and may be Japanese). Anything else is refused with the part that
 * could not be read, so the person can correct it; nothing is guessed.
 */
record AddressList(List<Mailbox> mailboxes) {

    /** The most recipients one message may have from webmail (To, Cc and Bcc together). */
    static final int MAX_RECIPIENTS = 100;

    /** One recipient: a display name (or null) and an address. */
    record Mailbox(@Nullable String name, String address) { }

    /** {@code local@domain}: no spaces, no specials outside the local part's dots, a dotted domain. */
    private static final Pattern ADDRESS = Pattern.compile(
            "[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+");

    /** A list that could not be read: the piece that was not an address. */
    static final class Invalid extends Exception {
        private final String piece;

        Invalid(String piece) {
            super("not an address: " + piece, null, false, false);
            this.piece = piece;
        }

        String piece() {
            return piece;
        }
    }

    static AddressList parse(@Nullable String typed) throws Invalid {
        List<Mailbox> found = new ArrayList<>();
        if (typed == null) {
            return new AddressList(found);
        }
        StringBuilder piece = new StringBuilder();
        boolean quoted = false;
        boolean angle = false;
        for (int i = 0; i < typed.length(); i++) {
            char c = typed.charAt(i);
            if (c == '"' && !angle) {
                quoted = !quoted;
            } else if (c == '<' && !quoted) {
                angle = true;
            } else if (c == '>' && !quoted) {
                angle = false;
            }
            if (!quoted && !angle && (c == ',' || c == ';' || c == '\n' || c == '\r')) {
                add(piece.toString(), found);
                piece.setLength(0);
            } else {
                piece.append(c);
            }
        }
        add(piece.toString(), found);
        return new AddressList(found);
    }

    private static void add(String piece, List<Mailbox> found) throws Invalid {
        String text = piece.strip();
        if (text.isEmpty()) {
            return;
        }
        String name = null;
        String address = text;
        int open = text.lastIndexOf('<');
        if (open >= 0) {
            if (!text.endsWith(">")) {
                throw new Invalid(text);
            }
            address = text.substring(open + 1, text.length() - 1).strip();
            name = text.substring(0, open).strip();
            if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
                name = name.substring(1, name.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
            }
            if (name.isEmpty()) {
                name = null;
            }
        }
        if (!ADDRESS.matcher(address).matches() || address.length() > 254
                || name != null && (name.length() > 200 || name.chars().anyMatch(Character::isISOControl))) {
            throw new Invalid(text);
        }
        found.add(new Mailbox(name, address));
    }
}
