package dev.hato.provisioning;

import java.util.Locale;
import java.util.regex.Pattern;

/** Syntax checks for what operators type: domain names (RFC 1035 labels) and addresses (RFC 5321 dot-atoms). */
final class Names {

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern DOT_ATOM =
            Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*");

    private Names() { }

    static String domain(String input) {
        String name = input.trim().toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.isEmpty() || name.length() > 253) {
            throw new ProvisioningException("malformed domain name '" + input + "'");
        }
        for (String label : name.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                throw new ProvisioningException("malformed domain name '" + input + "'");
            }
        }
        return name;
    }

    static String address(String input) {
        String address = input.trim();
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1) {
            throw new ProvisioningException("malformed address '" + input + "': expected local-part@domain");
        }
        String local = address.substring(0, at);
        // RFC 5321 §4.5.3.1.1: local part at most 64 octets.
        if (local.length() > 64 || !DOT_ATOM.matcher(local).matches()) {
            throw new ProvisioningException("malformed address '" + input + "': invalid local part");
        }
        String domain;
        try {
            domain = domain(address.substring(at + 1));
        } catch (ProvisioningException e) {
            throw new ProvisioningException("malformed address '" + input + "': invalid domain");
        }
        return local.toLowerCase(Locale.ROOT) + "@" + domain;
    }
}
