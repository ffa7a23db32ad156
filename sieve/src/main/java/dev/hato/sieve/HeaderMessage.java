package dev.hato.sieve;

import dev.hato.message.EncodedWords;
import dev.hato.message.HeaderAddresses;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A {@link SieveMessage} over a message as it arrived: header fields split and unfolded once (RFC 5322 §2.2.3),
 * values read as UTF-8 (RFC 6532) or, where they are not, as ISO-8859-1, and RFC 2047 words decoded when a test
 * asks; the body is read only by {@code body} tests ({@link BodyText}), and only when it was given.
 */
public final class HeaderMessage implements SieveMessage {

    private final Map<String, List<String>> fields;
    private final long size;
    private final String envelopeFrom;
    private final String envelopeTo;
    private final byte[] octets;

    private HeaderMessage(Map<String, List<String>> fields, long size, String envelopeFrom, String envelopeTo,
                          byte[] octets) {
        this.octets = octets;
        this.fields = fields;
        this.size = size;
        this.envelopeFrom = envelopeFrom;
        this.envelopeTo = envelopeTo;
    }

    /**
     * @param header       the message's octets: the header section, and the body when {@code body} tests are to
     *                     read it (a header alone has no body, RFC 5173 §5)
     * @param size         the whole message's size in octets
     * @param envelopeFrom the reverse-path without brackets, empty for {@code <>}
     * @param envelopeTo   the recipient this evaluation is for
     */
    public static HeaderMessage of(byte[] header, long size, String envelopeFrom, String envelopeTo) {
        Map<String, List<String>> fields = new HashMap<>();
        int end = BodyText.bodyStart(header);
        String text = text(header, end < 0 ? header.length : end); // the header only: the body is not read here
        String name = null;
        StringBuilder value = new StringBuilder();
        int from = 0;
        while (from <= text.length()) {
            int newline = text.indexOf('\n', from);
            int to = newline < 0 ? text.length() : newline;
            String line = text.substring(from, to > from && text.charAt(to - 1) == '\r' ? to - 1 : to);
            from = to + 1;
            if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
                if (name != null) {
                    value.append(line); // RFC 5322 §2.2.3: unfolding removes the CRLF only
                }
                continue;
            }
            if (name != null) {
                fields.computeIfAbsent(name, k -> new ArrayList<>()).add(value.toString().strip());
                name = null;
            }
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                value.setLength(0);
                value.append(line, colon + 1, line.length());
            }
        }
        if (name != null) {
            fields.computeIfAbsent(name, k -> new ArrayList<>()).add(value.toString().strip());
        }
        return new HeaderMessage(fields, size, envelopeFrom, envelopeTo, header);
    }

    /**
     * The same message for another envelope recipient: the fields split once serve every recipient's script (a
     * message to many scripted recipients, such as a list post, is not parsed again for each).
     */
    public HeaderMessage forRecipient(String otherEnvelopeTo) {
        return new HeaderMessage(fields, size, envelopeFrom, otherEnvelopeTo, octets);
    }

    private static String text(byte[] header, int length) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(header, 0, length))
                    .toString();
        } catch (CharacterCodingException notUtf8) {
            return new String(header, 0, length, StandardCharsets.ISO_8859_1);
        }
    }

    @Override
    public List<String> header(String name) {
        return raw(name).stream().map(EncodedWords::decode).toList();
    }

    /**
     * Each field's addresses as Pigeonhole gives them: {@code local@domain} with the local part quoted only where it
     * must be ({@code "x.y"@example.com} is {@code x.y@example.com}); entries without a domain left out; and a field
     * none of whose entries is an address given whole, so that {@code :all} can still see it while
     * {@code :localpart} and {@code :domain} match nothing (RFC 5228 §2.7.4).
     */
    @Override
    public List<List<String>> addresses(String name) {
        List<List<String>> addresses = new ArrayList<>();
        for (String value : raw(name)) {
            List<HeaderAddresses.Mailbox> mailboxes = HeaderAddresses.all(value);
            List<String> valid = new ArrayList<>();
            for (HeaderAddresses.Mailbox mailbox : mailboxes) {
                String canonical = canonical(mailbox.address());
                if (canonical != null) {
                    valid.add(canonical);
                }
            }
            addresses.add(valid.isEmpty() && !mailboxes.isEmpty() ? List.of(value.strip()) : valid);
        }
        return addresses;
    }

    /** {@code local@domain} with the local part in its simplest form, or null when it is not one. */
    private static @Nullable String canonical(String address) {
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1) {
            return null;
        }
        String local = AddressPart.unquoted(address.substring(0, at));
        return (Addresses.isDotAtom(local) ? local : '"' + local.replace("\\", "\\\\").replace("\"", "\\\"") + '"')
                + address.substring(at);
    }

    private List<String> raw(String name) {
        return fields.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public String envelopeFrom() {
        return envelopeFrom;
    }

    @Override
    public String envelopeTo() {
        return envelopeTo;
    }

    @Override
    public List<String> body(boolean raw, List<String> types, boolean text) {
        return raw ? BodyText.raw(octets) : BodyText.content(octets, text ? BodyText.TEXT : types, text);
    }
}
