package dev.hato.web.filters;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What the filter page builds: forwarding, a vacation response and rules. {@link #toSieve()} writes them as a Sieve
 * script whose comment lines ({@code # hato:...}) hold the settings, so {@link #parse} reads them back; a script
 * that was changed as text after that no longer reads back the same and is shown as text.
 */
public record FilterSettings(List<Rule> rules, Vacation vacation, Forward forward) {

    /** The name of the script the builder writes. */
    public static final String SCRIPT = "hato-webmail";
    /** Most rules the page keeps. */
    public static final int MAX_RULES = 50;
    /** Longest text of any one field. */
    public static final int MAX_TEXT = 4000;

    static final Set<String> FIELDS = Set.of("from", "to", "subject", "list-id");
    static final Set<String> MATCHES = Set.of("contains", "is", "matches");
    static final Set<String> ACTIONS = Set.of("fileinto", "seen", "flag", "discard", "redirect");

    private static final String FIRST_LINE = "# Written by Hato's webmail (Settings > Filters).";

    public FilterSettings {
        rules = List.copyOf(rules);
    }

    /** Nothing set: no forwarding, no vacation, no rules. */
    public static FilterSettings none() {
        return new FilterSettings(List.of(), Vacation.OFF, Forward.NONE);
    }

    /**
     * One rule: when {@code field} ({@code from}, {@code to} (To or Cc), {@code subject}, {@code list-id})
     * {@code match}es {@code value}, do {@code action} ({@code fileinto} folder {@code argument}, mark {@code seen},
     * {@code flag}, {@code discard}, {@code redirect} to {@code argument}). Filing, discarding and redirecting end
     * the rules for the message.
     */
    public record Rule(String field, String match, String value, String action, String argument) {
        public Rule {
            if (!FIELDS.contains(field) || !MATCHES.contains(match) || !ACTIONS.contains(action)) {
                throw new IllegalArgumentException("not a rule the page writes: " + field + " " + match + " "
                        + action);
            }
            if (value.isEmpty() || value.length() > MAX_TEXT || argument.length() > MAX_TEXT) {
                throw new IllegalArgumentException("a rule's value is 1 to " + MAX_TEXT + " characters");
            }
            if ((action.equals("fileinto") || action.equals("redirect")) && argument.isBlank()) {
                throw new IllegalArgumentException("a rule that files or redirects needs a folder or an address");
            }
            if (action.equals("redirect") && !Forward.isAddress(argument)) {
                throw new IllegalArgumentException("not an address: " + argument);
            }
        }
    }

    /** A vacation response, answered between {@code from} and {@code until} (either open) when {@code on}. */
    public record Vacation(boolean on, @Nullable LocalDate from, @Nullable LocalDate until, String subject,
                           String text) {
        public static final Vacation OFF = new Vacation(false, null, null, "", "");

        public Vacation {
            if (subject.length() > MAX_TEXT || text.length() > MAX_TEXT) {
                throw new IllegalArgumentException("a vacation text has at most " + MAX_TEXT + " characters");
            }
            if (on && text.isBlank()) {
                throw new IllegalArgumentException("a vacation response needs a text");
            }
            if (from != null && until != null && until.isBefore(from)) {
                throw new IllegalArgumentException("the vacation ends before it starts");
            }
        }
    }

    /** Forwarding of every message to {@code address} (none when empty), keeping a copy when {@code keep}. */
    public record Forward(String address, boolean keep) {
        public static final Forward NONE = new Forward("", true);

        public Forward {
            address = address.strip();
            if (!address.isEmpty() && !isAddress(address)) {
                throw new IllegalArgumentException("not an address: " + address);
            }
        }

        static boolean isAddress(String text) {
            String address = text.strip();
            int at = address.lastIndexOf('@');
            return at > 0 && at < address.length() - 1 && address.length() <= 320
                    && address.chars().noneMatch(c -> c <= ' ' || c == '"' || c == '<' || c == '>' || c == '\\');
        }
    }

    /** The script: the settings in comment lines, then the Sieve that does what they say. */
    public String toSieve() {
        StringBuilder state = new StringBuilder(FIRST_LINE).append('\n');
        StringBuilder body = new StringBuilder();
        Set<String> required = new LinkedHashSet<>();
        if (vacation.on()) {
            state.append("# hato:vacation ").append(encode(vacationFields())).append('\n');
            required.add("vacation");
            List<String> dates = new ArrayList<>();
            if (vacation.from() != null) {
                dates.add("currentdate :value \"ge\" \"date\" " + quote(vacation.from().toString()));
            }
            if (vacation.until() != null) {
                dates.add("currentdate :value \"le\" \"date\" " + quote(vacation.until().toString()));
            }
            String respond = "vacation" + (vacation.subject().isBlank() ? "" : " :subject " + quote(vacation.subject()))
                    + " " + quote(vacation.text()) + ";\n";
            if (dates.isEmpty()) {
                body.append(respond);
            } else {
                required.add("date");
                required.add("relational");
                body.append("if allof (").append(String.join(", ", dates)).append(") {\n    ").append(respond)
                        .append("}\n");
            }
        }
        if (!forward.address().isEmpty()) {
            state.append("# hato:forward ").append(encode(Map.of("address", forward.address(), "keep",
                    forward.keep() ? "1" : "0"))).append('\n');
            if (forward.keep()) {
                required.add("copy");
            }
            body.append("redirect ").append(forward.keep() ? ":copy " : "").append(quote(forward.address()))
                    .append(";\n");
            if (!forward.keep()) {
                body.append("stop;\n");
            }
        }
        for (Rule rule : rules) {
            state.append("# hato:rule ").append(encode(ruleFields(rule))).append('\n');
            body.append("if ").append(test(rule)).append(" {\n    ").append(action(rule, required)).append("\n}\n");
        }
        String require = required.isEmpty() ? "" : "require [" + String.join(", ",
                required.stream().map(FilterSettings::quote).toList()) + "];\n";
        return state + require + body;
    }

    /** The settings a script written by {@link #toSieve()} holds; empty for any other script, or one changed since. */
    public static Optional<FilterSettings> parse(String script) {
        if (!script.startsWith(FIRST_LINE + "\n")) {
            return Optional.empty();
        }
        List<Rule> rules = new ArrayList<>();
        Vacation vacation = Vacation.OFF;
        Forward forward = Forward.NONE;
        try {
            for (String line : script.split("\n")) {
                if (line.startsWith("# hato:rule ")) {
                    Map<String, String> f = decode(line.substring("# hato:rule ".length()));
                    rules.add(new Rule(f.getOrDefault("field", ""), f.getOrDefault("match", ""),
                            f.getOrDefault("value", ""), f.getOrDefault("action", ""), f.getOrDefault("argument", "")));
                } else if (line.startsWith("# hato:vacation ")) {
                    Map<String, String> f = decode(line.substring("# hato:vacation ".length()));
                    vacation = new Vacation(true, date(f.get("from")), date(f.get("until")),
                            f.getOrDefault("subject", ""), f.getOrDefault("text", ""));
                } else if (line.startsWith("# hato:forward ")) {
                    Map<String, String> f = decode(line.substring("# hato:forward ".length()));
                    forward = new Forward(f.getOrDefault("address", ""), "1".equals(f.get("keep")));
                }
            }
        } catch (IllegalArgumentException | DateTimeParseException changed) {
            return Optional.empty();
        }
        FilterSettings settings = new FilterSettings(rules, vacation, forward);
        return settings.toSieve().equals(script) ? Optional.of(settings) : Optional.empty();
    }

    private static String test(Rule rule) {
        String match = ":" + rule.match() + " ";
        String value = quote(rule.value());
        return switch (rule.field()) {
            case "from" -> "address " + match + "\"from\" " + value;
            case "to" -> "address " + match + "[\"to\", \"cc\"] " + value;
            case "list-id" -> "header " + match + "\"list-id\" " + value;
            default -> "header " + match + "\"subject\" " + value;
        };
    }

    private static String action(Rule rule, Set<String> required) {
        switch (rule.action()) {
            case "fileinto":
                required.add("fileinto");
                required.add("mailbox");
                return "fileinto :create " + quote(rule.argument()) + ";\n    stop;";
            case "seen":
                required.add("imap4flags");
                return "addflag \"\\\\Seen\";";
            case "flag":
                required.add("imap4flags");
                return "addflag \"\\\\Flagged\";";
            case "discard":
                return "discard;\n    stop;";
            default:
                return "redirect " + quote(rule.argument()) + ";\n    stop;";
        }
    }

    private Map<String, String> vacationFields() {
        Map<String, String> fields = new LinkedHashMap<>();
        if (vacation.from() != null) {
            fields.put("from", vacation.from().toString());
        }
        if (vacation.until() != null) {
            fields.put("until", vacation.until().toString());
        }
        fields.put("subject", vacation.subject());
        fields.put("text", vacation.text());
        return fields;
    }

    private static Map<String, String> ruleFields(Rule rule) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("field", rule.field());
        fields.put("match", rule.match());
        fields.put("value", rule.value());
        fields.put("action", rule.action());
        fields.put("argument", rule.argument());
        return fields;
    }

    /** A Sieve quoted string (RFC 5228 §2.4.2): backslash and double quote escaped, line ends as CRLF. */
    static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\r\n", "\n").replace("\n", "\r\n")
                + "\"";
    }

    private static String encode(Map<String, String> fields) {
        List<String> pairs = new ArrayList<>();
        fields.forEach((name, value) -> pairs.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return String.join("&", pairs);
    }

    private static Map<String, String> decode(String line) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : line.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                fields.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return fields;
    }

    private static @Nullable LocalDate date(@Nullable String text) {
        return text == null || text.isEmpty() ? null : LocalDate.parse(text);
    }
}
