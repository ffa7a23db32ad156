package dev.hato.outbound;

/** One MX record (RFC 1035 §3.3.9): lower preference first; an exchange of "" is the null MX of RFC 7505. */
public record MxRecord(int preference, String exchange) {
    public MxRecord {
        if (preference < 0 || preference > 65535) {
            throw new IllegalArgumentException("MX preference out of range: " + preference);
        }
    }
}
