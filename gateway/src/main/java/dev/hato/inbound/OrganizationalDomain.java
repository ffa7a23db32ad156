package dev.hato.inbound;

import com.google.common.net.InternetDomainName;
import java.util.Locale;

/**
 * RFC 7489 §3.2: the organisational domain of a name is the public suffix plus one label, with the public suffix
 * list bundled in Guava ({@link InternetDomainName}, updated with each Guava release). A name the list does not know a
 * suffix for (a private TLD, {@code .test}, {@code .example}) falls back to its last two labels.
 */
public final class OrganizationalDomain {

    private OrganizationalDomain() { }

    public static String of(String domain) {
        String name = domain.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        try {
            InternetDomainName parsed = InternetDomainName.from(name);
            if (parsed.isUnderPublicSuffix()) {
                return parsed.topPrivateDomain().toString();
            }
            if (parsed.isPublicSuffix()) {
                return name;
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            // not a name Guava accepts (underscores, too long): the two-label rule below
        }
        int last = name.lastIndexOf('.');
        if (last <= 0) {
            return name;
        }
        int second = name.lastIndexOf('.', last - 1);
        return second < 0 ? name : name.substring(second + 1);
    }
}
