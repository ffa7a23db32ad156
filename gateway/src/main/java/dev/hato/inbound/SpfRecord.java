package dev.hato.inbound;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One parsed SPF record (RFC 7208 §4.6, §12 ABNF): its directives in order and its redirect modifier. Parsing is one
 * linear pass over a record of bounded length; a record that breaks the grammar is a {@link SpfException.PermError}.
 * Unknown modifiers are ignored (§6), {@code exp=} is parsed and not used (Hato does not reject on SPF alone).
 */
record SpfRecord(List<Directive> directives, @Nullable String redirect) {

    static final int MAX_LENGTH = 4096;
    static final int MAX_TERMS = 200;

    enum Qualifier { PASS, FAIL, SOFTFAIL, NEUTRAL }

    enum Mechanism { ALL, INCLUDE, A, MX, PTR, IP4, IP6, EXISTS }

    /**
     * @param target the domain-spec (macros not yet expanded) or the IP address of ip4/ip6; null when absent
     * @param cidr4 prefix length for IPv4 (32 when absent); {@code cidr6} for IPv6 (128 when absent)
     */
    record Directive(Qualifier qualifier, Mechanism mechanism, @Nullable String target, int cidr4, int cidr6) { }

    SpfRecord {
        directives = List.copyOf(directives);
    }

    /** Whether this TXT string is an SPF record: "v=spf1" alone or followed by a space (§4.5). */
    static boolean isSpf(String txt) {
        return txt.length() >= 6 && txt.regionMatches(true, 0, "v=spf1", 0, 6)
                && (txt.length() == 6 || txt.charAt(6) == ' ');
    }

    static SpfRecord parse(String text) {
        if (!isSpf(text)) {
            throw new SpfException.PermError("not an SPF record");
        }
        if (text.length() > MAX_LENGTH) {
            throw new SpfException.PermError("SPF record longer than " + MAX_LENGTH + " octets");
        }
        List<Directive> directives = new ArrayList<>();
        String redirect = null;
        boolean exp = false;
        int terms = 0;
        int i = 6;
        while (i < text.length()) {
            if (text.charAt(i) == ' ') {
                i++;
                continue;
            }
            int end = text.indexOf(' ', i);
            if (end < 0) {
                end = text.length();
            }
            String term = text.substring(i, end);
            i = end;
            if (++terms > MAX_TERMS) {
                throw new SpfException.PermError("SPF record with more than " + MAX_TERMS + " terms");
            }
            int equals = term.indexOf('=');
            int colon = term.indexOf(':');
            int slash = term.indexOf('/');
            if (equals > 0 && (colon < 0 || equals < colon) && (slash < 0 || equals < slash)
                    && isName(term.substring(0, equals))) {
                String name = term.substring(0, equals).toLowerCase(Locale.ROOT);
                String value = term.substring(equals + 1);
                if (name.equals("redirect")) {
                    if (redirect != null) {
                        throw new SpfException.PermError("more than one redirect modifier");
                    }
                    redirect = requireDomainSpec(value);
                } else if (name.equals("exp")) {
                    if (exp) {
                        throw new SpfException.PermError("more than one exp modifier");
                    }
                    exp = true;
                    requireDomainSpec(value);
                }
                continue; // §6: unrecognised modifiers are ignored
            }
            directives.add(directive(term));
        }
        return new SpfRecord(directives, redirect);
    }

    private static boolean isName(String name) {
        if (name.isEmpty() || !Character.isLetter(name.charAt(0))) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c < 0x80 && (Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.'))) {
                return false;
            }
        }
        return true;
    }

    private static Directive directive(String term) {
        Qualifier qualifier = Qualifier.PASS;
        int at = 0;
        switch (term.charAt(0)) {
            case '+' -> { at = 1; }
            case '-' -> { qualifier = Qualifier.FAIL; at = 1; }
            case '~' -> { qualifier = Qualifier.SOFTFAIL; at = 1; }
            case '?' -> { qualifier = Qualifier.NEUTRAL; at = 1; }
            default -> { }
        }
        String rest = term.substring(at);
        int nameEnd = 0;
        while (nameEnd < rest.length() && rest.charAt(nameEnd) != ':' && rest.charAt(nameEnd) != '/') {
            nameEnd++;
        }
        String name = rest.substring(0, nameEnd).toLowerCase(Locale.ROOT);
        String argument = rest.substring(nameEnd);
        return switch (name) {
            case "all" -> {
                requireEmpty(argument, name);
                yield new Directive(qualifier, Mechanism.ALL, null, 32, 128);
            }
            case "include", "exists" -> {
                if (!argument.startsWith(":")) {
                    throw new SpfException.PermError(name + " needs a domain");
                }
                yield new Directive(qualifier, name.equals("include") ? Mechanism.INCLUDE : Mechanism.EXISTS,
                        requireDomainSpec(argument.substring(1)), 32, 128);
            }
            case "ptr" -> {
                String domain = null;
                if (!argument.isEmpty()) {
                    if (!argument.startsWith(":")) {
                        throw new SpfException.PermError("invalid ptr mechanism");
                    }
                    domain = requireDomainSpec(argument.substring(1));
                }
                yield new Directive(qualifier, Mechanism.PTR, domain, 32, 128);
            }
            case "a", "mx" -> addressMechanism(qualifier, name.equals("a") ? Mechanism.A : Mechanism.MX, argument);
            case "ip4" -> ip(qualifier, Mechanism.IP4, argument, 32);
            case "ip6" -> ip(qualifier, Mechanism.IP6, argument, 128);
            default -> throw new SpfException.PermError("unknown mechanism '" + printable(name) + "'");
        };
    }

    /** {@code a[:domain-spec][/cidr4][//cidr6]}, the same for mx. */
    private static Directive addressMechanism(Qualifier qualifier, Mechanism mechanism, String argument) {
        String domain = null;
        String cidrs = argument;
        if (argument.startsWith(":")) {
            int slash = argument.indexOf('/');
            domain = requireDomainSpec(slash < 0 ? argument.substring(1) : argument.substring(1, slash));
            cidrs = slash < 0 ? "" : argument.substring(slash);
        }
        int cidr4 = 32;
        int cidr6 = 128;
        if (!cidrs.isEmpty()) {
            int dual = cidrs.indexOf("//");
            String four = dual < 0 ? cidrs : cidrs.substring(0, dual);
            String six = dual < 0 ? "" : cidrs.substring(dual + 1);
            if (!four.isEmpty()) {
                cidr4 = prefix(four, 32);
            }
            if (!six.isEmpty()) {
                cidr6 = prefix(six, 128);
            }
        }
        return new Directive(qualifier, mechanism, domain, cidr4, cidr6);
    }

    private static Directive ip(Qualifier qualifier, Mechanism mechanism, String argument, int max) {
        if (!argument.startsWith(":")) {
            throw new SpfException.PermError(mechanism.name().toLowerCase(Locale.ROOT) + " needs an address");
        }
        String value = argument.substring(1);
        int slash = value.indexOf('/');
        String address = slash < 0 ? value : value.substring(0, slash);
        int cidr = slash < 0 ? max : prefix(value.substring(slash), max);
        if (mechanism == Mechanism.IP4 ? IpAddresses.ipv4(address) == null : IpAddresses.ipv6(address) == null) {
            throw new SpfException.PermError("invalid address in " + mechanism.name().toLowerCase(Locale.ROOT));
        }
        return new Directive(qualifier, mechanism, address, mechanism == Mechanism.IP4 ? cidr : 32,
                mechanism == Mechanism.IP6 ? cidr : 128);
    }

    /** "/n" with n in 0..max, no leading zeros (§12: ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT)). */
    private static int prefix(String slashNumber, int max) {
        if (slashNumber.length() < 2 || slashNumber.length() > 4 || slashNumber.charAt(0) != '/') {
            throw new SpfException.PermError("invalid CIDR length");
        }
        String digits = slashNumber.substring(1);
        if (digits.length() > 1 && digits.charAt(0) == '0') {
            throw new SpfException.PermError("invalid CIDR length");
        }
        int value = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                throw new SpfException.PermError("invalid CIDR length");
            }
            value = value * 10 + c - '0';
        }
        if (value > max) {
            throw new SpfException.PermError("CIDR length above " + max);
        }
        return value;
    }

    private static void requireEmpty(String argument, String name) {
        if (!argument.isEmpty()) {
            throw new SpfException.PermError(name + " takes no argument");
        }
    }

    /**
     * §7.1: a domain-spec is macro-string followed by a domain-end (a top label of letters and digits, or a macro);
     * the macros are checked when expanded.
     */
    private static String requireDomainSpec(String spec) {
        if (spec.isEmpty()) {
            throw new SpfException.PermError("empty domain-spec");
        }
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                throw new SpfException.PermError("invalid character in domain-spec");
            }
        }
        String trimmed = spec.endsWith(".") ? spec.substring(0, spec.length() - 1) : spec;
        if (!trimmed.endsWith("}")) {
            int dot = trimmed.lastIndexOf('.');
            String top = trimmed.substring(dot + 1);
            if (dot < 0 || top.isEmpty() || top.chars().allMatch(Character::isDigit)
                    || !top.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-')) {
                throw new SpfException.PermError("domain-spec '" + printable(spec) + "' has no valid top label");
            }
        }
        return spec;
    }

    private static String printable(String value) {
        String cut = value.length() > 40 ? value.substring(0, 40) + "..." : value;
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            out.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return out.toString();
    }
}
