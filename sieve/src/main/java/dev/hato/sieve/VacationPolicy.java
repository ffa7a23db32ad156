package dev.hato.sieve;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Whether a message may be answered by a vacation response at all (RFC 5230 §4.5 and §4.6 with RFC 3834 §2): the
 * delivery pipeline asks this before it looks up whether the sender was answered within the period. A refusal names
 * its reason, for the mail log.
 */
public final class VacationPolicy {

    /** RFC 2919 and RFC 2369: a list sent this. */
    private static final List<String> LIST_FIELDS = List.of("list-id", "list-help", "list-subscribe",
            "list-unsubscribe", "list-post", "list-owner", "list-archive");

    /** RFC 5230 §4.5: the recipient's address must be in one of these, or the message was not sent to them. */
    private static final List<String> RECIPIENT_FIELDS = List.of("to", "cc", "bcc", "resent-to", "resent-cc",
            "resent-bcc");

    private VacationPolicy() { }

    /**
     * Why this message must not be answered, or empty when it may be.
     *
     * @param recipients the recipient's own addresses: the envelope recipient, the account's address and aliases,
     *                   and the script's {@code :addresses}
     */
    public static Optional<String> refusal(SieveMessage message, List<String> recipients) {
        String sender = message.envelopeFrom();
        if (sender.isEmpty()) {
            return Optional.of("the null sender"); // RFC 3834 §2: never answer a bounce
        }
        String local = localPart(sender).toLowerCase(Locale.ROOT);
        if (local.equals("mailer-daemon") || local.equals("listserv") || local.equals("majordomo")
                || local.startsWith("owner-") || local.endsWith("-request")) {
            return Optional.of("a sender that is a list or a mail system: " + sender); // RFC 5230 §4.5
        }
        Set<String> mine = recipients.stream().map(VacationPolicy::normal).collect(Collectors.toSet());
        if (mine.contains(normal(sender))) {
            return Optional.of("a message from the recipient's own address");
        }
        for (String value : message.header("auto-submitted")) {
            if (!value.strip().toLowerCase(Locale.ROOT).startsWith("no")) {
                return Optional.of("Auto-Submitted: " + value); // RFC 3834 §2, RFC 5230 §4.5
            }
        }
        for (String field : LIST_FIELDS) {
            if (!message.header(field).isEmpty()) {
                return Optional.of("a list message (" + field + ")");
            }
        }
        for (String value : message.header("precedence")) {
            String precedence = value.strip().toLowerCase(Locale.ROOT);
            if (precedence.equals("bulk") || precedence.equals("list") || precedence.equals("junk")) {
                return Optional.of("Precedence: " + precedence); // RFC 3834 §2
            }
        }
        for (String field : RECIPIENT_FIELDS) {
            for (List<String> addresses : message.addresses(field)) {
                for (String address : addresses) {
                    if (mine.contains(normal(address))) {
                        return Optional.empty();
                    }
                }
            }
        }
        return Optional.of("none of the recipient's addresses in To, Cc, Bcc or Resent-To/Cc/Bcc");
    }

    private static String localPart(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? address : address.substring(0, at);
    }

    /** Addresses compared with the domain case-insensitive; the local part too, as every Hato address is. */
    private static String normal(String address) {
        return address.strip().toLowerCase(Locale.ROOT);
    }
}
