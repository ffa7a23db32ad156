package dev.hato.dkim;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A DKIM key record as published in DNS (RFC 6376 §3.6.1): v= (DKIM1, first if present), k= (rsa when absent),
 * h= (acceptable hashes), s= (service types), t= flags (y: testing, s: strict identity), p= (empty: revoked).
 */
record KeyRecord(String keyType, List<String> hashes, List<String> services, boolean testing, boolean strict,
                 String publicKey) {

    boolean revoked() {
        return publicKey.isEmpty();
    }

    static KeyRecord parse(String text) {
        Map<String, String> tags = TagList.parse(text);
        if (tags.containsKey("v") && (!tags.keySet().iterator().next().equals("v") || !tags.get("v").equals("DKIM1"))) {
            throw new DkimException("v= must be DKIM1 and come first");
        }
        if (!tags.containsKey("p")) {
            throw new DkimException("no p= tag");
        }
        List<String> flags = list(tags.getOrDefault("t", ""));
        return new KeyRecord(tags.getOrDefault("k", "rsa").toLowerCase(Locale.ROOT), list(tags.getOrDefault("h", "")),
                tags.containsKey("s") ? list(tags.get("s")) : List.of("*"), flags.contains("y"), flags.contains("s"),
                TagList.compact(tags.get("p")));
    }

    private static List<String> list(String value) {
        return java.util.Arrays.stream(value.split(":", 64)).map(TagList::compact).map(TagList::lower)
                .filter(s -> !s.isEmpty()).toList();
    }
}
