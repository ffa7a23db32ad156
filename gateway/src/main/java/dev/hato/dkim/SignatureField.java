package dev.hato.dkim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/** Builds and signs one DKIM-Signature header field (RFC 6376 §3.5) for a canonicalized message. */
final class SignatureField {

    /**
     * The fields signed when present, in this order. Each is signed once per instance, and the ones in
     * {@link #OVER_SIGNED} once more than they occur (RFC 6376 §5.4.2: a name listed more often than it occurs
     * hashes as a null string, so an added instance breaks the signature): From always, as §5.4 requires it signed
     * and a second From is the classic forgery; Reply-To, Subject, To and Cc always, as adding them redirects
     * replies or rewords the message; the rest only when present, as RFC 5322 §3.6 allows each at most once.
     */
    static final List<String> SIGNED = List.of("from", "reply-to", "subject", "date", "to", "cc", "message-id",
            "in-reply-to", "references", "mime-version", "content-type", "content-transfer-encoding");
    static final Set<String> ALWAYS_OVER_SIGNED = Set.of("from", "reply-to", "subject", "to", "cc");
    static final Set<String> OVER_SIGNED = Set.of("from", "reply-to", "subject", "to", "cc", "date", "message-id",
            "mime-version", "content-type", "content-transfer-encoding");

    private static final int LINE = 78; // RFC 5322 §2.1.1: SHOULD be no more than 78 characters
    private static final String FOLD = "\r\n\t";

    private SignatureField() {
    }

    /** The h= list for these header fields. */
    static List<String> signedNames(List<HeaderSection.Field> fields) {
        List<String> names = new ArrayList<>();
        for (String name : SIGNED) {
            long present = fields.stream().filter(f -> f.name().equals(name)).count();
            long listed = present + (ALWAYS_OVER_SIGNED.contains(name) || (present > 0 && OVER_SIGNED.contains(name))
                    ? 1 : 0);
            for (long i = 0; i < listed; i++) {
                names.add(name);
            }
        }
        return names;
    }

    /**
     * The complete field, folded, ending in CRLF.
     *
     * @throws DkimException when the message has no From field
     */
    static byte[] sign(CanonicalMessage message, SigningKey key, long epochSeconds, SecureRandom random) {
        List<HeaderSection.Field> fields = message.header().fields();
        if (fields.stream().noneMatch(f -> f.name().equals("from"))) {
            throw new DkimException("the message has no From field; RFC 6376 §5.4 requires it signed");
        }
        List<String> names = signedNames(fields);
        Folder field = new Folder("DKIM-Signature:");
        field.word("v=1;", true);
        field.word("a=" + key.algorithm().tag() + ";", true);
        field.word("c=relaxed/relaxed;", true);
        field.word("d=" + key.domain() + ";", true);
        field.word("s=" + key.selector() + ";", true);
        field.word("t=" + epochSeconds + ";", true);
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            field.word(i == 0 ? "h=" + name + ":" : i == names.size() - 1 ? name + ";" : name + ":", i == 0);
        }
        field.word("bh=" + Base64.getEncoder().encodeToString(message.bodyHash()) + ";", true);
        field.word("b=", true);
        String unsigned = field.toString();
        byte[] signature = key.algorithm().sign(key.privateKey(),
                headerHashInput(message.header(), names, unsigned.getBytes(StandardCharsets.US_ASCII)), random);
        field.continuous(Base64.getEncoder().encodeToString(signature));
        return (field + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * RFC 6376 §3.7: the canonicalized signed fields in h= order, then the DKIM-Signature field itself with an
     * empty b= value and without its final CRLF.
     */
    static byte[] headerHashInput(HeaderSection header, List<String> names, byte[] unsignedField) {
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        for (HeaderSection.Field field : header.select(names)) {
            input.writeBytes(RelaxedHeader.canonical(field.raw(), false));
        }
        input.writeBytes(RelaxedHeader.canonical(unsignedField, true));
        return input.toByteArray();
    }

    /** Writes words on lines of at most 78 characters where it can, folding with CRLF HTAB (RFC 5322 §2.2.3). */
    private static final class Folder {
        private final StringBuilder text = new StringBuilder(512);
        private int lineLength;

        Folder(String start) {
            text.append(start);
            lineLength = start.length();
        }

        /** A word that must not be split; {@code spaced} puts SP before it when it stays on the line. */
        void word(String word, boolean spaced) {
            int needed = word.length() + (spaced ? 1 : 0);
            if (lineLength + needed > LINE) {
                text.append(FOLD).append(word);
                lineLength = 1 + word.length();
            } else {
                text.append(spaced ? " " : "").append(word);
                lineLength += needed;
            }
        }

        /** Base64 that may be folded anywhere (FWS is allowed inside b=, RFC 6376 §3.5). */
        void continuous(String value) {
            int at = 0;
            while (at < value.length()) {
                int room = LINE - lineLength;
                if (room <= 0) {
                    text.append(FOLD);
                    lineLength = 1;
                    room = LINE - 1;
                }
                int end = Math.min(value.length(), at + room);
                text.append(value, at, end);
                lineLength += end - at;
                at = end;
            }
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
