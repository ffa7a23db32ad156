package dev.hato.sieve;

import dev.hato.sieve.grammar.Argument;
import dev.hato.sieve.grammar.Position;
import dev.hato.sieve.grammar.Test;
import dev.hato.sieve.match.Comparator;
import dev.hato.sieve.match.Relation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Checks and compiles the tests of a script (RFC 5228 §5 and the extensions' tests: envelope, body, date and
 * currentdate, hasflag, mailboxexists, string) with their match types, comparators and address parts, reporting
 * problems to the {@link SieveCompiler} it belongs to.
 */
final class Conditions {

    /**
     * RFC 5228 §5.1: the address test is restricted to fields that hold addresses; these are the ones Pigeonhole 0.5.19
     * accepts (checked with sieve-test; it refuses Return-Path, Envelope-To, Disposition-Notification-To).
     */
    static final Set<String> ADDRESS_FIELDS = Set.of("from", "sender", "to", "cc", "bcc", "reply-to", "resent-from",
            "resent-sender", "resent-to", "resent-cc", "resent-bcc", "resent-reply-to", "delivered-to", "errors-to",
            "x-original-to", "return-receipt-to", "mail-followup-to", "mail-reply-to");

    private final SieveCompiler c;

    Conditions(SieveCompiler compiler) {
        this.c = compiler;
    }

    Condition compile(Test test) {
        String name = test.name();
        Position at = test.at();
        if (!name.equals("not") && !name.equals("allof") && !name.equals("anyof") && !test.tests().isEmpty()) {
            c.problem(at, name + " takes no test");
        }
        switch (name) {
            case "true", "false" -> {
                Args.read(c, name, test.arguments(), Set.of(), at).none(c, name);
                return name.equals("true") ? new Condition.True(at) : new Condition.False(at);
            }
            case "not" -> {
                Args.read(c, name, test.arguments(), Set.of(), at).none(c, name);
                if (test.tests().size() != 1 || test.testList()) {
                    c.problem(at, "not takes one test");
                    return new Condition.False(at);
                }
                return new Condition.Not(compile(test.tests().get(0)), at);
            }
            case "allof", "anyof" -> {
                Args.read(c, name, test.arguments(), Set.of(), at).none(c, name);
                if (!test.testList()) {
                    c.problem(at, name + " takes a list of tests in parentheses");
                }
                return new Condition.Combined(name.equals("allof"), test.tests().stream().map(this::compile).toList(), at);
            }
            case "exists" -> {
                Args args = Args.read(c, name, test.arguments(), Set.of(), at);
                List<String> headers = args.stringLists(c, name, 1).get(0);
                headers.forEach(header -> checkHeaderName(header, at));
                return new Condition.Exists(headers, at);
            }
            case "size" -> {
                Args args = Args.read(c, name, test.arguments(), Set.of("over", "under"), at);
                if (args.flags.size() != 1) {
                    c.problem(at, "size takes one of :over and :under");
                }
                if (args.positional.size() != 1 || !(args.positional.get(0) instanceof Argument.Number limit)) {
                    c.problem(at, "size takes one number");
                    return new Condition.False(at);
                }
                return new Condition.Size(!args.flags.contains("under"), limit.value(), at);
            }
            case "header" -> {
                Args args = Args.read(c, name, test.arguments(), indexFlags(), at, true, false, indexTags());
                List<List<String>> lists = args.stringLists(c, name, 2);
                lists.get(0).forEach(header -> checkHeaderName(header, at));
                return new Condition.Header(lists.get(0), match(args, lists.get(1), at), index(args, at), at);
            }
            case "address" -> {
                Args args = Args.read(c, name, test.arguments(), indexFlags(), at, true, true, indexTags());
                List<List<String>> lists = args.stringLists(c, name, 2);
                for (String header : lists.get(0)) {
                    if (!ADDRESS_FIELDS.contains(header.toLowerCase(Locale.ROOT))) {
                        c.problem(at, "the address test reads fields that hold addresses, not '" + header + "'");
                    }
                }
                return new Condition.Address(lists.get(0), args.addressPart(), match(args, lists.get(1), at),
                        index(args, at), at);
            }
            case "date", "currentdate" -> {
                if (!c.requires("date", at, "the " + name + " test")) {
                    return new Condition.False(at);
                }
                boolean header = name.equals("date");
                Set<String> flags = new java.util.HashSet<>(header ? indexFlags() : Set.of());
                Set<String> tags = new java.util.HashSet<>(header ? indexTags() : Set.of());
                tags.add("zone");
                if (header) {
                    flags.add("originalzone");
                }
                Args args = Args.read(c, name, test.arguments(), flags, at, true, false, tags);
                Condition.Zone zone = zone(args, at);
                if (header) {
                    List<List<String>> lists = args.stringLists(c, name, 3);
                    String field = lists.get(0).size() == 1 ? lists.get(0).get(0) : null;
                    String part = lists.get(1).size() == 1 ? lists.get(1).get(0) : null;
                    if (field == null || part == null) {
                        c.problem(at, "date takes one header name and one date-part");
                        return new Condition.False(at);
                    }
                    checkHeaderName(field, at);
                    return new Condition.Date(field, zone, part, match(args, lists.get(2), at), index(args, at), at);
                }
                List<List<String>> lists = args.stringLists(c, name, 2);
                if (lists.get(0).size() != 1) {
                    c.problem(at, "currentdate takes one date-part");
                    return new Condition.False(at);
                }
                return new Condition.CurrentDate(zone, lists.get(0).get(0), match(args, lists.get(1), at), at);
            }
            case "body" -> {
                if (!c.requires("body", at, "the body test")) {
                    return new Condition.False(at);
                }
                Args args = Args.read(c, name, test.arguments(), Set.of("raw", "text"), at, true, false,
                        Set.of("content"));
                List<String> types = args.list(c, "content");
                int transforms = (args.flags.contains("raw") ? 1 : 0) + (args.flags.contains("text") ? 1 : 0)
                        + (types != null ? 1 : 0);
                if (transforms > 1) {
                    c.problem(at, "body takes one of :raw, :content and :text");
                }
                List<String> keys = args.stringLists(c, name, 1).get(0);
                boolean raw = args.flags.contains("raw");
                return new Condition.Body(raw, types == null ? List.of() : types, !raw && types == null,
                        match(args, keys, at), at);
            }
            case "string" -> {
                if (!c.requires("variables", at, "the string test")) {
                    return new Condition.False(at);
                }
                Args args = Args.read(c, name, test.arguments(), Set.of(), at, true, false);
                List<List<String>> lists = args.stringLists(c, name, 2);
                return new Condition.StringTest(lists.get(0), match(args, lists.get(1), at), at);
            }
            case "mailboxexists" -> {
                if (!c.requires("mailbox", at, "the mailboxexists test")) {
                    return new Condition.False(at);
                }
                Args args = Args.read(c, name, test.arguments(), Set.of(), at);
                return new Condition.MailboxExists(args.stringLists(c, name, 1).get(0), at);
            }
            case "hasflag" -> {
                if (!c.requires("imap4flags", at, "the hasflag test")) {
                    return new Condition.False(at);
                }
                Args args = Args.read(c, name, test.arguments(), Set.of(), at, true, false);
                // RFC 5232 §4: with "variables", a list of variable names may come first
                boolean named = c.variables() && args.positional.size() == 2;
                List<List<String>> lists = args.stringLists(c, name, named ? 2 : 1);
                List<String> names = named ? lists.get(0) : List.of();
                for (String variable : names) {
                    if (!Variables.isIdentifier(variable)) {
                        c.problem(at, "'" + variable + "' is not a variable name");
                    }
                }
                return new Condition.HasFlag(names, match(args, splitFlags(lists.get(named ? 1 : 0)), at), at);
            }
            case "envelope" -> {
                if (!c.requires("envelope", at, "the envelope test")) {
                    return new Condition.False(at);
                }
                Args args = Args.read(c, name, test.arguments(), Set.of(), at, true, true);
                List<List<String>> lists = args.stringLists(c, name, 2);
                List<String> parts = lists.get(0).stream().map(p -> p.toLowerCase(Locale.ROOT)).toList();
                for (String part : parts) {
                    if (!part.equals("from") && !part.equals("to")) {
                        c.problem(at, "the envelope has the parts \"from\" and \"to\", not '" + part + "'");
                    }
                }
                return new Condition.Envelope(parts, args.addressPart(), match(args, lists.get(1), at), at);
            }
            default -> {
                c.problem(at, "unknown test '" + name + "'");
                return new Condition.False(at);
            }
        }
    }

    private Match match(Args args, List<String> keys, Position at) {
        Comparator comparator = args.comparator();
        Match.Type type = args.matchType();
        if ((type == Match.Type.CONTAINS || type == Match.Type.MATCHES) && !comparator.substringSupported()) {
            c.problem(at, ":" + type.name().toLowerCase(Locale.ROOT) + " cannot be used with the comparator "
                    + comparator.name());
            type = Match.Type.IS;
        }
        if (type == Match.Type.REGEX && !comparator.name().equals("i;octet")
                && !comparator.name().equals("i;ascii-casemap")) {
            c.problem(at, ":regex can be used with i;octet and i;ascii-casemap only, not " + comparator.name());
            type = Match.Type.IS;
        }
        boolean relational = type == Match.Type.VALUE || type == Match.Type.COUNT;
        Relation relation = args.relation();
        Relation given = relational ? (relation == null ? Relation.EQ : relation) : null;
        if (keys.stream().anyMatch(c::dynamic)) {
            return Match.late(type, given, comparator, keys); // compiled when the keys are known
        }
        try {
            return Match.of(type, given, comparator, keys);
        } catch (IllegalArgumentException e) {
            c.problem(at, e.getMessage());
            return Match.of(Match.Type.IS, null, comparator, keys);
        }
    }

    /** RFC 5260 §6: {@code :index n} from 1, {@code :last} only with it. */
    private Condition.@Nullable Index index(Args args, Position at) {
        Long position = args.number(c, "index");
        if (position == null) {
            if (args.flags.contains("last")) {
                c.problem(at, ":last needs :index");
            }
            return null;
        }
        if (position == 0 || Long.compareUnsigned(position, Integer.MAX_VALUE) > 0) {
            c.problem(at, ":index counts from 1, not " + Long.toUnsignedString(position));
            return null;
        }
        return new Condition.Index(position.intValue(), args.flags.contains("last"));
    }

    /** RFC 5260 §4.1: {@code :zone "+hhmm"} or {@code :originalzone}, not both; the server's zone without either. */
    private Condition.Zone zone(Args args, Position at) {
        String zone = args.string(c, "zone");
        boolean original = args.flags.contains("originalzone");
        if (zone != null && original) {
            c.problem(at, "a date test takes one of :zone and :originalzone");
        }
        if (zone == null) {
            return original ? new Condition.Zone(null, true) : Condition.Zone.LOCAL;
        }
        if (c.dynamic(zone)) {
            c.problem(at, ":zone with a variable is not supported; write the zone as +hhmm or -hhmm");
            return Condition.Zone.LOCAL;
        }
        java.time.ZoneOffset offset = DatePart.parseZone(zone);
        if (offset == null) {
            c.problem(at, ":zone takes a zone as +hhmm or -hhmm, not '" + zone + "'");
            return Condition.Zone.LOCAL;
        }
        return new Condition.Zone(offset, false);
    }

    private Set<String> indexTags() {
        return c.isRequired("index") ? Set.of("index") : Set.of();
    }

    private Set<String> indexFlags() {
        return c.isRequired("index") ? Set.of("last") : Set.of();
    }

    /** RFC 5228 §5.7 with RFC 5322 §3.6.8: a field name is printable US-ASCII without ':', at least one. */
    private void checkHeaderName(String name, Position at) {
        boolean ok = !name.isEmpty();
        for (int i = 0; ok && i < name.length(); i++) {
            char c = name.charAt(i);
            ok = c > 32 && c < 127 && c != ':';
        }
        if (!ok) {
            c.problem(at, "'" + name + "' is not a header field name");
        }
    }

    /** The flags named in strings of space-separated flags (RFC 5232 §3). */
    static List<String> splitFlags(List<String> strings) {
        List<String> flags = new ArrayList<>();
        for (String key : strings) {
            for (String flag : key.split(" ")) {
                if (!flag.isEmpty()) {
                    flags.add(flag);
                }
            }
        }
        return flags;
    }
}
