package dev.hato.inbound;

import dev.hato.dkim.ArcVerdict;
import dev.hato.dkim.DkimVerdict;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Writes the Authentication-Results field (RFC 8601 §2.2) of one message, folded, ending in CRLF, e.g.
 * <pre>
 * Authentication-Results: mx.example.org;
 *     spf=pass smtp.mailfrom=alice@example.com;
 *     dkim=pass header.d=example.com header.s=s1 header.a=rsa-sha256 header.b=AbCdEf12;
 *     dmarc=pass (p=reject) header.from=example.com
 * </pre>
 * Everything that came from the sender (addresses, domains, reasons) is reduced to what the grammar allows: values
 * outside a token are quoted, comments lose parentheses, backslashes and control characters.
 */
public final class AuthenticationResults {

    private static final int MAX_VALUE = 256;

    private AuthenticationResults() { }

    public static byte[] field(String authservId, @Nullable SpfResult spf, @Nullable List<DkimVerdict> dkim,
                               @Nullable DmarcResult dmarc) {
        return field(authservId, spf, dkim, dmarc, null);
    }

    public static byte[] field(String authservId, @Nullable SpfResult spf, @Nullable List<DkimVerdict> dkim,
                               @Nullable DmarcResult dmarc, @Nullable ArcVerdict arc) {
        List<String> results = new ArrayList<>();
        if (spf != null) {
            results.add("spf=" + spf.result().token() + comment(spf.reason()) + " smtp." + spf.identity() + "="
                    + value(spf.value()));
        }
        if (dkim != null) {
            if (dkim.isEmpty()) {
                results.add("dkim=none");
            }
            for (DkimVerdict verdict : dkim) {
                StringBuilder result = new StringBuilder("dkim=").append(verdict.result().token())
                        .append(comment(verdict.reason()));
                property(result, "header.d", verdict.domain());
                property(result, "header.i", verdict.identity());
                property(result, "header.s", verdict.selector());
                property(result, "header.a", verdict.algorithm());
                property(result, "header.b", verdict.signaturePrefix());
                results.add(result.toString());
            }
        }
        if (dmarc != null) {
            StringBuilder result = new StringBuilder("dmarc=").append(dmarc.result().token());
            String note = dmarc.policy() == null ? dmarc.reason()
                    : "p=" + dmarc.policy().token() + " dis=" + dmarc.disposition().token() + "; " + dmarc.reason();
            result.append(comment(note));
            property(result, "header.from", dmarc.fromDomain());
            results.add(result.toString());
        }
        if (arc != null) {
            results.add("arc=" + arc.result().token() + comment(arc.reason()));
        }
        StringBuilder field = new StringBuilder("Authentication-Results: ").append(value(authservId));
        if (results.isEmpty()) {
            field.append("; none");
        }
        for (String result : results) {
            field.append(";\r\n\t").append(result);
        }
        return field.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void property(StringBuilder result, String name, @Nullable String value) {
        if (value != null && !value.isEmpty()) {
            result.append(' ').append(name).append('=').append(value(value));
        }
    }

    /** A token when it is one (with "@" and "." allowed, as in addresses and domains), else a quoted-string. */
    static String value(String raw) {
        String cut = raw.length() > MAX_VALUE ? raw.substring(0, MAX_VALUE) : raw;
        boolean token = !cut.isEmpty();
        StringBuilder quoted = new StringBuilder("\"");
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                token = false;
                continue; // control characters never reach the header
            }
            if (c > 0x7E || " ()<>,;:\\\"/[]?=".indexOf(c) >= 0) {
                token = false;
            }
            if (c == '"' || c == '\\') {
                quoted.append('\\');
            }
            quoted.append(c);
        }
        return token ? cut : quoted.append('"').toString();
    }

    private static String comment(@Nullable String text) {
        if (text == null || text.isBlank()) {
            return "";
        }
        StringBuilder out = new StringBuilder(" (");
        String cut = text.length() > 120 ? text.substring(0, 120) : text;
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            if (c >= 0x20 && c < 0x7F && c != '(' && c != ')' && c != '\\') {
                out.append(c);
            }
        }
        return out.append(')').toString();
    }
}
