package dev.hato.sieve;

import dev.hato.sieve.grammar.Command;
import dev.hato.sieve.grammar.Position;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Checks and compiles the action commands of a script (RFC 5228 §4 and the extensions' commands: fileinto, redirect,
 * keep, discard, stop, reject and ereject, vacation, setflag/addflag/removeflag, set), reporting problems to the
 * {@link SieveCompiler} it belongs to.
 */
final class Commands {

    private final SieveCompiler c;

    Commands(SieveCompiler compiler) {
        this.c = compiler;
    }

    @Nullable Node compile(Command command) {
        String name = command.name();
        Position at = command.at();
        c.noTestsNorBlock(command);
        switch (name) {
            case "stop", "discard" -> {
                Args.read(c, name, command.arguments(), Set.of(), at).none(c, name);
                return name.equals("stop") ? new Node.Stop(at) : new Node.Discard(at);
            }
            case "keep" -> {
                Args args = Args.read(c, name, command.arguments(), Set.of(), at, false, false, flagsTag());
                args.none(c, name);
                return new Node.Keep(args.list(c, "flags"), at);
            }
            case "fileinto" -> {
                if (!c.requires("fileinto", at, "fileinto")) {
                    return null;
                }
                Set<String> tags = new java.util.HashSet<>(copyTag());
                if (c.isRequired("mailbox")) {
                    tags.add("create");
                }
                Args args = Args.read(c, name, command.arguments(), tags, at, false, false, flagsTag());
                String mailbox = args.oneString(c, name, "a mailbox name");
                if (mailbox != null && mailbox.isEmpty() && !c.dynamic(mailbox)) {
                    c.problem(at, "fileinto needs a mailbox name, not an empty string");
                }
                return mailbox == null ? null
                        : new Node.FileInto(mailbox, args.flags.contains("copy"), args.list(c, "flags"),
                                args.flags.contains("create"), at);
            }
            case "reject", "ereject" -> {
                if (!c.requires(name, at, name)) {
                    return null;
                }
                String reason = Args.read(c, name, command.arguments(), Set.of(), at).oneString(c, name,
                        "the reason");
                return reason == null ? null : new Node.Reject(reason, name.equals("ereject"), at);
            }
            case "vacation" -> {
                return c.requires("vacation", at, "vacation") ? vacation(command) : null;
            }
            case "set" -> {
                return c.requires("variables", at, "set") ? set(command) : null;
            }
            case "setflag", "addflag", "removeflag" -> {
                if (!c.requires("imap4flags", at, name)) {
                    return null;
                }
                Args args = Args.read(c, name, command.arguments(), Set.of(), at);
                // RFC 5232 §3: with "variables", a variable name may come first
                boolean named = c.variables() && args.positional.size() == 2;
                List<List<String>> lists = args.stringLists(c, name, named ? 2 : 1);
                String variable = null;
                if (named) {
                    if (lists.get(0).size() != 1 || !Variables.isIdentifier(lists.get(0).get(0))) {
                        c.problem(at, name + " takes one variable name before its flags");
                    } else {
                        variable = lists.get(0).get(0);
                    }
                }
                Node.Flags.Operation operation = name.equals("setflag") ? Node.Flags.Operation.SET
                        : name.equals("addflag") ? Node.Flags.Operation.ADD : Node.Flags.Operation.REMOVE;
                return new Node.Flags(operation, variable, lists.get(named ? 1 : 0), at);
            }
            case "redirect" -> {
                Args args = Args.read(c, name, command.arguments(), copyTag(), at);
                String address = args.oneString(c, name, "an address");
                if (address != null && !c.dynamic(address) && !Addresses.isMailbox(address)) {
                    c.problem(at, "redirect needs an address as local-part@domain, not '" + address + "'");
                    return null;
                }
                return address == null ? null : new Node.Redirect(address, args.flags.contains("copy"), at);
            }
            default -> {
                c.problem(at, "unknown command '" + name + "'");
                return null;
            }
        }
    }

    /** RFC 5230 §4 and RFC 6131: the response, its period, and the handle it is tracked by. */
    private @Nullable Node vacation(Command command) {
        Position at = command.at();
        Set<String> tags = new java.util.HashSet<>(Set.of("days", "subject", "from", "addresses", "handle"));
        if (c.isRequired("vacation-seconds")) {
            tags.add("seconds");
        }
        Args args = Args.read(c, "vacation", command.arguments(), Set.of("mime"), at, false, false, tags);
        String reason = args.oneString(c, "vacation", "the reason");
        Long days = args.number(c, "days");
        Long seconds = args.number(c, "seconds");
        if (days != null && seconds != null) {
            c.problem(at, "vacation takes one of :days and :seconds");
        }
        long period = seconds != null ? seconds : days != null ? multiplyDays(days, at) : 7 * 86_400L;
        String subject = args.string(c, "subject");
        String from = args.string(c, "from");
        if (from != null && !c.dynamic(from)) {
            dev.hato.message.HeaderAddresses.Mailbox mailbox = dev.hato.message.HeaderAddresses.first(from);
            if (mailbox == null || !Addresses.isMailbox(mailbox.address())) {
                c.problem(at, "vacation :from needs an address, not '" + from + "'");
            }
        }
        List<String> addresses = args.list(c, "addresses");
        String handle = args.string(c, "handle");
        boolean handleGiven = handle != null;
        boolean mime = args.flags.contains("mime");
        if (reason == null) {
            return null;
        }
        if (handle == null) {
            // Pigeonhole's default handle, so that responses tracked before a migration are recognised after it
            handle = reason + (subject == null ? "<default-subject>" : subject) + (from == null ? "<default-from>" : from)
                    + (mime ? "<MIME>" : "<NO-MIME>");
        }
        return new Node.Vacation(reason, subject, from, addresses == null ? List.of() : addresses, mime, handle,
                handleGiven, period, at);
    }

    /** RFC 5229 §4: {@code set [modifiers] <name> <value>}; one modifier per precedence. */
    private @Nullable Node set(Command command) {
        Position at = command.at();
        Set<String> modifierTags = new java.util.HashSet<>();
        for (Node.Set.Modifier modifier : Node.Set.Modifier.values()) {
            modifierTags.add(modifier.name().toLowerCase(Locale.ROOT));
        }
        Args args = Args.read(c, "set", command.arguments(), modifierTags, at);
        List<Node.Set.Modifier> modifiers = new ArrayList<>();
        for (Node.Set.Modifier modifier : Node.Set.Modifier.values()) {
            if (args.flags.contains(modifier.name().toLowerCase(Locale.ROOT))) {
                for (Node.Set.Modifier other : modifiers) {
                    if (other.precedence == modifier.precedence) {
                        c.problem(at, "set takes one of :" + other.name().toLowerCase(Locale.ROOT) + " and :"
                                + modifier.name().toLowerCase(Locale.ROOT) + " (the same precedence)");
                    }
                }
                modifiers.add(modifier);
            }
        }
        List<List<String>> lists = args.stringLists(c, "set", 2);
        if (lists.get(0).size() != 1 || lists.get(1).size() != 1) {
            c.problem(at, "set takes a name and a value, one string each");
            return null;
        }
        String name = lists.get(0).get(0);
        if (Variables.isNumber(name)) {
            c.problem(at, "set cannot assign to the match variable ${" + name + "}");
            return null;
        }
        if (!Variables.isIdentifier(name)) {
            c.problem(at, "'" + name + "' is not a variable name (letters, digits and _, not first a digit)");
            return null;
        }
        return new Node.Set(name, lists.get(1).get(0), modifiers, at);
    }

    private long multiplyDays(long days, Position at) {
        if (Long.compareUnsigned(days, Long.MAX_VALUE / 86_400L) > 0) {
            c.problem(at, "vacation :days is too large");
            return 0;
        }
        return days * 86_400L;
    }

    private Set<String> flagsTag() {
        return c.isRequired("imap4flags") ? Set.of("flags") : Set.of();
    }

    private Set<String> copyTag() {
        return c.isRequired("copy") ? Set.of("copy") : Set.of();
    }
}
