package dev.hato.sieve;

import dev.hato.sieve.grammar.Argument;
import dev.hato.sieve.grammar.Position;
import dev.hato.sieve.match.Comparator;
import dev.hato.sieve.match.Relation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The arguments of one command or test sorted out (RFC 5228 §2.6): tags first, then positional arguments
 * (§2.6.2); the match type, comparator and address part tags (§2.7) where the test takes them; problems reported
 * to the compiler as they are found, with defaults in their place so that checking goes on.
 */
final class Args {

    final Set<String> flags = new HashSet<>();
    /** The arguments of tags that take one ({@code :flags "x"}, {@code :days 3}), by tag name. */
    private final java.util.Map<String, Argument> values = new java.util.HashMap<>();
    final List<Argument> positional = new ArrayList<>();
    private Match.@Nullable Type matchType;
    private @Nullable Relation relation;
    private @Nullable Comparator comparator;
    private @Nullable AddressPart addressPart;
    private final Position at;

    private Args(Position at) {
        this.at = at;
    }

    static Args read(SieveCompiler compiler, String name, List<Argument> arguments, Set<String> flags, Position at) {
        return read(compiler, name, arguments, flags, at, false, false);
    }

    /**
     * @param matching     the test takes {@code :is :contains :matches} and {@code :comparator}
     * @param addressParts the test takes {@code :all :localpart :domain}
     */
    static Args read(SieveCompiler compiler, String name, List<Argument> arguments, Set<String> flags, Position at,
                     boolean matching, boolean addressParts) {
        return read(compiler, name, arguments, flags, at, matching, addressParts, Set.of());
    }

    /** @param valueTags tags followed by an argument, such as {@code :flags} (RFC 5232 §5) or {@code :days} */
    static Args read(SieveCompiler compiler, String name, List<Argument> arguments, Set<String> flags, Position at,
                     boolean matching, boolean addressParts, Set<String> valueTags) {
        Args args = new Args(at);
        for (int i = 0; i < arguments.size(); i++) {
            Argument argument = arguments.get(i);
            if (!(argument instanceof Argument.Tag tag)) {
                args.positional.add(argument);
                continue;
            }
            if (!args.positional.isEmpty()) {
                compiler.problem(tag.at(), "the tag :" + tag.name() + " must come before the other arguments of "
                        + name);
            }
            String tagName = tag.name();
            if (matching && (tagName.equals("is") || tagName.equals("contains") || tagName.equals("matches")
                    || (compiler.isRequired("relational") && (tagName.equals("value") || tagName.equals("count")))
                    || (compiler.isRequired("regex") && tagName.equals("regex")))) {
                if (args.matchType != null) {
                    compiler.problem(tag.at(), name + " takes one match type");
                }
                args.matchType = Match.Type.valueOf(tagName.toUpperCase(java.util.Locale.ROOT));
                if (args.matchType == Match.Type.VALUE || args.matchType == Match.Type.COUNT) {
                    i++;
                    args.relation(compiler, i < arguments.size() ? arguments.get(i) : null, tag);
                }
            } else if (matching && tagName.equals("comparator")) {
                i++;
                args.comparator(compiler, name, i < arguments.size() ? arguments.get(i) : null, tag.at());
            } else if (addressParts && (tagName.equals("all") || tagName.equals("localpart")
                    || tagName.equals("domain")
                    || (compiler.isRequired("subaddress") && (tagName.equals("user") || tagName.equals("detail"))))) {
                if (args.addressPart != null) {
                    compiler.problem(tag.at(), name + " takes one address part");
                }
                args.addressPart = AddressPart.valueOf(tagName.toUpperCase(java.util.Locale.ROOT));
            } else if (valueTags.contains(tagName)) {
                i++;
                if (i < arguments.size() && !(arguments.get(i) instanceof Argument.Tag)) {
                    if (args.values.put(tagName, arguments.get(i)) != null) {
                        compiler.problem(tag.at(), "the tag :" + tagName + " is given twice");
                    }
                } else {
                    compiler.problem(tag.at(), ":" + tagName + " needs its argument");
                    i--;
                }
            } else if (flags.contains(tagName)) {
                if (!args.flags.add(tagName)) {
                    compiler.problem(tag.at(), "the tag :" + tagName + " is given twice");
                }
            } else {
                compiler.problem(tag.at(), "unknown tag :" + tagName + " for " + name);
            }
        }
        return args;
    }

    /** RFC 5228 §2.7.3: {@code :comparator "name"}, a comparator this engine has and the script requires. */
    private void comparator(SieveCompiler compiler, String name, @Nullable Argument value, Position at) {
        if (comparator != null) {
            compiler.problem(at, name + " takes one comparator");
        }
        if (!(value instanceof Argument.Strings strings) || strings.values().size() != 1 || strings.bracketed()) {
            compiler.problem(at, ":comparator takes one string, the comparator's name");
            return;
        }
        String comparatorName = strings.values().get(0);
        Comparator named = Comparator.named(comparatorName).orElse(null);
        if (named == null) {
            compiler.problem(strings.at(), "unknown comparator '" + comparatorName + "'");
        } else if (!compiler.isRequired("comparator-" + named.name())) {
            compiler.problem(strings.at(), "the comparator " + named.name() + " needs require \"comparator-"
                    + named.name() + "\"");
        } else {
            comparator = named;
        }
    }

    /** RFC 5231 §4: {@code :value "gt"}, the relation a single string. */
    private void relation(SieveCompiler compiler, @Nullable Argument value, Argument.Tag tag) {
        if (!(value instanceof Argument.Strings strings) || strings.values().size() != 1 || strings.bracketed()) {
            compiler.problem(tag.at(), ":" + tag.name() + " takes one string, the relation (\"gt\", \"ge\", \"lt\", "
                    + "\"le\", \"eq\" or \"ne\")");
            relation = Relation.EQ;
            return;
        }
        relation = Relation.named(strings.values().get(0)).orElse(null);
        if (relation == null) {
            compiler.problem(strings.at(), "unknown relation '" + strings.values().get(0)
                    + "': \"gt\", \"ge\", \"lt\", \"le\", \"eq\" or \"ne\"");
            relation = Relation.EQ;
        }
    }

    @Nullable Relation relation() {
        return relation;
    }

    /** The string list after {@code :tag}, null when the tag is absent. */
    @Nullable List<String> list(SieveCompiler compiler, String tag) {
        Argument value = values.get(tag);
        if (value == null) {
            return null;
        }
        if (value instanceof Argument.Strings strings) {
            return strings.values();
        }
        compiler.problem(value.at(), ":" + tag + " takes a string list");
        return null;
    }

    /** The one string after {@code :tag}, null when the tag is absent. */
    @Nullable String string(SieveCompiler compiler, String tag) {
        Argument value = values.get(tag);
        if (value == null) {
            return null;
        }
        if (value instanceof Argument.Strings strings && !strings.bracketed()) {
            return strings.values().get(0);
        }
        compiler.problem(value.at(), ":" + tag + " takes one string");
        return null;
    }

    /** The number after {@code :tag}, null when the tag is absent. */
    @Nullable Long number(SieveCompiler compiler, String tag) {
        Argument value = values.get(tag);
        if (value == null) {
            return null;
        }
        if (value instanceof Argument.Number number) {
            return number.value();
        }
        compiler.problem(value.at(), ":" + tag + " takes a number");
        return null;
    }

    Match.Type matchType() {
        return matchType == null ? Match.Type.IS : matchType;
    }

    /** RFC 5228 §2.7.3: i;ascii-casemap unless the script names another. */
    Comparator comparator() {
        return comparator != null ? comparator : Comparator.named("i;ascii-casemap").orElseThrow();
    }

    AddressPart addressPart() {
        return addressPart == null ? AddressPart.ALL : addressPart;
    }

    /** No positional arguments and no flags are expected. */
    Args none(SieveCompiler compiler, String name) {
        if (!positional.isEmpty()) {
            compiler.problem(positional.get(0).at(), name + " takes no arguments");
        }
        return this;
    }

    /** Exactly one string, not a list (not even of one, as Pigeonhole has it); null after a problem. */
    @Nullable String oneString(SieveCompiler compiler, String name, String what) {
        if (positional.size() != 1 || !(positional.get(0) instanceof Argument.Strings strings)
                || strings.bracketed()) {
            compiler.problem(positional.isEmpty() ? at : positional.get(0).at(), name + " takes one string, "
                    + what);
            return null;
        }
        return strings.values().get(0);
    }

    /** Exactly {@code count} string lists; empty lists in their place after a problem. */
    List<List<String>> stringLists(SieveCompiler compiler, String name, int count) {
        List<List<String>> lists = new ArrayList<>();
        boolean ok = positional.size() == count;
        for (int i = 0; ok && i < count; i++) {
            if (positional.get(i) instanceof Argument.Strings strings) {
                lists.add(strings.values());
            } else {
                ok = false;
            }
        }
        if (!ok) {
            compiler.problem(positional.isEmpty() ? at : positional.get(0).at(), name + " takes " + count
                    + (count == 1 ? " string list" : " string lists"));
            lists.clear();
            for (int i = 0; i < count; i++) {
                lists.add(List.of());
            }
        }
        return lists;
    }
}
