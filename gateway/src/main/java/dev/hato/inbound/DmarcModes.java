package dev.hato.inbound;

import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How each local domain wants a DMARC failure treated (hato.inbound.dmarc.domains[DOMAIN]): departments that run
 * their own domains choose for themselves. A message's mode is the most lenient of its recipients' domains, so that
 * no domain loses mail it asked to keep: a message for a domain that only monitors and one that enforces is
 * delivered (and quarantined only when every recipient's domain at least quarantines).
 */
public final class DmarcModes {

    /** What a DMARC failure leads to, from the most lenient to the strictest. */
    public enum Mode {
        /** Recorded in Authentication-Results only. */
        MONITOR,
        /** The sender's p=reject is applied as quarantine: Junk, never a refusal. */
        QUARANTINE,
        /** The sender's policy as it is: reject refuses, quarantine files into Junk. */
        ENFORCE
    }

    /** Every domain enforces. */
    public static final DmarcModes ENFORCE_ALL = new DmarcModes(Map.of());

    private final Map<String, Mode> byDomain;

    /** {@code byDomain}: domain (any case) to its mode; a domain not named enforces. */
    public DmarcModes(Map<String, Mode> byDomain) {
        Map<String, Mode> lower = new HashMap<>();
        byDomain.forEach((domain, mode) -> lower.put(domain.toLowerCase(Locale.ROOT), mode));
        this.byDomain = Map.copyOf(lower);
    }

    /** The mode of a message for {@code recipients} (addresses): the most lenient of their domains'. */
    public Mode of(Collection<String> recipients) {
        Mode mode = Mode.ENFORCE;
        for (String recipient : recipients) {
            int at = recipient.lastIndexOf('@');
            Mode domain = byDomain.getOrDefault(recipient.substring(at + 1).toLowerCase(Locale.ROOT), Mode.ENFORCE);
            if (domain.compareTo(mode) < 0) {
                mode = domain;
            }
        }
        return mode;
    }
}
