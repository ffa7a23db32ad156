package dev.hato.inbound;

import dev.hato.message.HeaderAddresses;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The RFC5322.From domain DMARC is about (RFC 7489 §6.6.1): one mailbox's domain, lower case; else null. */
final class FromDomain {

    private static final int MAX_LENGTH = 4096;

    private FromDomain() { }

    static @Nullable String of(String value) {
        if (value.length() > MAX_LENGTH) {
            return null;
        }
        HeaderAddresses.Mailbox mailbox = HeaderAddresses.first(value);
        if (mailbox == null) {
            return null;
        }
        String address = mailbox.address();
        int at = address.lastIndexOf('@');
        if (at < 0 || at == address.length() - 1) {
            return null;
        }
        String domain = address.substring(at + 1).toLowerCase(Locale.ROOT);
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        if (domain.startsWith("[") || !SpfEvaluator.validDomain(domain)) {
            return null;
        }
        // A second mailbox with another domain makes the From domain ambiguous (§6.6.1): no DMARC verdict.
        int comma = value.indexOf(',');
        if (comma >= 0 && value.indexOf('@', comma) > 0
                && !value.toLowerCase(Locale.ROOT).substring(comma).contains("@" + domain)) {
            return null;
        }
        return domain;
    }
}
