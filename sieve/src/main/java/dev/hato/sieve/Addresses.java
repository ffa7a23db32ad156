package dev.hato.sieve;

/** The address checks a script's constants get at compile time. */
final class Addresses {

    private Addresses() { }

    /**
     * Whether {@code address} is a plain {@code local-part@domain} (RFC 5321 §4.1.2 Mailbox, without quoted local parts
     * or address literals): what a redirect target must be (RFC 5228 §4.2). Deliberately strict: a redirect goes out
     * through the queue, and a target that needs quoting is refused at upload rather than bounced later.
     */
    static boolean isMailbox(String address) {
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1 || address.length() > 254 || at > 64) {
            return false;
        }
        if (!isDotAtom(address.substring(0, at))) {
            return false;
        }
        for (String label : address.substring(at + 1).split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                        || c >= 0x80;
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }

    /** RFC 5322 §3.2.3 dot-atom-text (with UTF-8 letters, RFC 6532): a local part that needs no quotes. */
    static boolean isDotAtom(String local) {
        if (local.isEmpty() || local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            return false;
        }
        for (int i = 0; i < local.length(); i++) {
            char c = local.charAt(i);
            boolean atext = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-/=?^_`{|}~.".indexOf(c) >= 0 || c >= 0x80;
            if (!atext) {
                return false;
            }
        }
        return true;
    }
}
