package dev.hato.dkim;

import dev.hato.store.keys.DkimKey;
import java.util.ArrayList;
import java.util.List;

/** The DNS TXT record that publishes a key (RFC 6376 §3.6.1 and §3.6.2.2), in zone-file syntax. */
public final class DkimRecord {

    /** RFC 1035 §3.3: a TXT record is a sequence of character-strings of at most 255 octets each. */
    static final int MAX_STRING = 255;

    private DkimRecord() {
    }

    /** The record's text as a verifier reads it (the strings concatenated, RFC 6376 §3.6.2.2). */
    public static String text(DkimKey key) {
        return "v=DKIM1; k=" + DkimAlgorithm.of(key.algorithm()).keyType() + "; p=" + key.publicKey();
    }

    /**
     * One zone-file line, e.g. {@code s1._domainkey.example.org. IN TXT "v=DKIM1; k=rsa; p=MIIB..." "...AQAB"}: the
     * text split into quoted strings of at most 255 characters (the text is base64 and ASCII, nothing to escape).
     */
    public static String zoneLine(DkimKey key) {
        StringBuilder line = new StringBuilder(key.recordName()).append(". IN TXT");
        for (String part : strings(text(key))) {
            line.append(" \"").append(part).append('"');
        }
        return line.toString();
    }

    static List<String> strings(String text) {
        List<String> parts = new ArrayList<>();
        for (int at = 0; at < text.length(); at += MAX_STRING) {
            parts.add(text.substring(at, Math.min(text.length(), at + MAX_STRING)));
        }
        return parts;
    }
}
