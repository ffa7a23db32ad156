package dev.hato.sieve;

import dev.hato.sieve.grammar.Argument;
import dev.hato.sieve.grammar.Command;
import dev.hato.sieve.grammar.Position;
import dev.hato.sieve.grammar.Script;
import dev.hato.sieve.grammar.SieveParser;
import dev.hato.sieve.grammar.SyntaxException;
import dev.hato.sieve.grammar.Test;
import dev.hato.sieve.match.Comparator;
import dev.hato.sieve.match.Relation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Checks a parsed script and turns it into its {@link CompiledScript}, or refuses it with every problem found (RFC 5228
 * §2.10.6: errors are found before the script runs, not on the branch a message takes months later). Checked here:
 * {@code require} first and naming only capabilities this engine has (so none is claimed that is not implemented),
 * every command and test known and required, tags known for their command and not repeated, positional arguments
 * of the right number and kind, comparators known and required, {@code :contains}/{@code :matches} only with
 * comparators that support substrings, {@code elsif}/{@code else} after an {@code if}, header names and redirect
 * addresses well formed.
 */
public final class SieveCompiler {

    /**
     * What {@code require} accepts, and what ManageSieve will advertise in {@code SIEVE}. i;octet and i;ascii-casemap
     * need not be required (RFC 5228 §2.7.3); the other comparators must be.
     */
    public static final Set<String> CAPABILITIES = Set.of("fileinto", "envelope", "copy", "subaddress", "relational", "encoded-character", "imap4flags", "reject", "ereject", "vacation", "vacation-seconds", "date", "index", "regex", "mailbox", "variables", "body",
            "comparator-i;octet", "comparator-i;ascii-casemap", "comparator-i;ascii-numeric",
            "comparator-i;unicode-casemap");

    private static final Set<String> ALWAYS = Set.of("comparator-i;octet", "comparator-i;ascii-casemap");

    /**
     * RFC 5228 §5.1: the address test is restricted to fields that hold addresses; these are the ones Pigeonhole 0.5.19
     * accepts (checked with sieve-test; it refuses Return-Path, Envelope-To, Disposition-Notification-To).
     */
    static final Set<String> ADDRESS_FIELDS = Set.of("from", "sender", "to", "cc", "bcc", "reply-to", "resent-from",
            "resent-sender", "resent-to", "resent-cc", "resent-bcc", "resent-reply-to", "delivered-to", "errors-to",
            "x-original-to", "return-receipt-to", "mail-followup-to", "mail-reply-to");

    private final List<Problem> problems = new ArrayList<>();
    private final Set<String> required = new HashSet<>(ALWAYS);
    /** The script requires "variables": strings may hold references, checked when they are used, not here. */
    private boolean variables;

    private SieveCompiler() { }

    /** Parses and compiles a script's text; a syntax error is reported as the one problem. */
    public static CompiledScript compile(String text) throws CompileException {
        Script script;
        try {
            script = SieveParser.parse(text);
        } catch (SyntaxException e) {
            throw new CompileException(List.of(new Problem(e.at(), e.getMessage().substring(e.at().toString().length() + 2))));
        }
        return compile(script);
    }

    public static CompiledScript compile(Script script) throws CompileException {
        SieveCompiler compiler = new SieveCompiler();
        List<Command> commands = script.commands();
        if (requires(commands, "encoded-character")) {
            commands = commands.stream().map(compiler::decoded).toList();
        }
        compiler.variables = requires(commands, "variables");
        if (compiler.variables) {
            commands.forEach(compiler::checkNamespaces);
        }
        List<Node> nodes = compiler.top(commands);
        if (!compiler.problems.isEmpty()) {
            throw new CompileException(compiler.problems);
        }
        return new CompiledScript(nodes, compiler.required);
    }

    /** Whether the leading require commands name {@code capability}. */
    private static boolean requires(List<Command> commands, String capability) {
        for (Command command : commands) {
            if (!command.name().equals("require")) {
                return false;
            }
            for (Argument argument : command.arguments()) {
                if (argument instanceof Argument.Strings names && names.values().contains(capability)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The command with the encoded characters of all its strings decoded (RFC 5228 §2.4.2.4), its tests and block too. */
    private Command decoded(Command command) {
        List<Command> block = command.block() == null ? null : command.block().stream().map(this::decoded).toList();
        return new Command(command.name(), decoded(command.arguments()), command.tests().stream().map(this::decoded)
                .toList(), command.testList(), block, command.at());
    }

    private Test decoded(Test test) {
        return new Test(test.name(), decoded(test.arguments()), test.tests().stream().map(this::decoded).toList(),
                test.testList(), test.at());
    }

    /** RFC 5229 §3: a reference to a namespace needs the extension that defines it; this engine has none. */
    private void checkNamespaces(Command command) {
        checkNamespaces(command.arguments());
        command.tests().forEach(this::checkNamespaces);
        if (command.block() != null) {
            command.block().forEach(this::checkNamespaces);
        }
    }

    private void checkNamespaces(Test test) {
        checkNamespaces(test.arguments());
        test.tests().forEach(this::checkNamespaces);
    }

    private void checkNamespaces(List<Argument> arguments) {
        for (Argument argument : arguments) {
            if (argument instanceof Argument.Strings strings) {
                for (String value : strings.values()) {
                    if (Variables.hasNamespacedReference(value)) {
                        problem(strings.at(), "'" + value + "' refers to a variable namespace this server does not have");
                    }
                }
            }
        }
    }

    /** Whether {@code value} is only known at run time (it refers to variables). */
    private boolean dynamic(String value) {
        return variables && value.contains("${");
    }

    private List<Argument> decoded(List<Argument> arguments) {
        List<Argument> decoded = new ArrayList<>(arguments.size());
        for (Argument argument : arguments) {
            if (argument instanceof Argument.Strings strings) {
                List<String> values = new ArrayList<>();
                for (String value : strings.values()) {
                    try {
                        values.add(EncodedCharacters.decode(value));
                    } catch (IllegalArgumentException e) {
                        problem(strings.at(), e.getMessage());
                        values.add(value);
                    }
                }
                decoded.add(new Argument.Strings(values, strings.bracketed(), strings.at()));
            } else {
                decoded.add(argument);
            }
        }
        return decoded;
    }

    private List<Node> top(List<Command> commands) {
        int first = 0;
        while (first < commands.size() && commands.get(first).name().equals("require")) {
            require(commands.get(first++));
        }
        return block(commands.subList(first, commands.size()));
    }

    /** RFC 5228 §3.2: capability names are case-sensitive; an unknown one refuses the script. */
    private void require(Command command) {
        Args args = Args.read(this, command.name(), command.arguments(), Set.of(), command.at());
        noTestsNorBlock(command);
        if (args.positional.size() != 1 || !(args.positional.get(0) instanceof Argument.Strings names)) {
            problem(command.at(), "require takes one string list of capabilities");
            return;
        }
        for (String name : names.values()) {
            if (CAPABILITIES.contains(name)) {
                required.add(name);
            } else {
                problem(names.at(), "unknown Sieve capability '" + name + "'");
            }
        }
    }

    private List<Node> block(List<Command> commands) {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            Command command = commands.get(i);
            switch (command.name()) {
                case "if" -> {
                    List<Node.Branch> branches = new ArrayList<>();
                    branches.add(branch(command));
                    List<Node> otherwise = null;
                    while (i + 1 < commands.size() && commands.get(i + 1).name().equals("elsif")) {
                        branches.add(branch(commands.get(++i)));
                    }
                    if (i + 1 < commands.size() && commands.get(i + 1).name().equals("else")) {
                        Command other = commands.get(++i);
                        Args.read(this, "else", other.arguments(), Set.of(), other.at()).none(this, "else");
                        if (!other.tests().isEmpty()) {
                            problem(other.at(), "else takes no test");
                        }
                        otherwise = controlBlock(other);
                    }
                    nodes.add(new Node.If(branches, otherwise, command.at()));
                }
                case "elsif", "else" -> problem(command.at(), command.name() + " must follow if or elsif");
                case "require" -> problem(command.at(), "require must come before any other command");
                default -> {
                    Node node = action(command);
                    if (node != null) {
                        nodes.add(node);
                    }
                }
            }
        }
        return nodes;
    }

    private Node.Branch branch(Command command) {
        Args.read(this, command.name(), command.arguments(), Set.of(), command.at()).none(this, command.name());
        Condition condition;
        if (command.tests().size() != 1 || command.testList()) {
            problem(command.at(), command.name() + " takes one test");
            condition = new Condition.False(command.at());
        } else {
            condition = test(command.tests().get(0));
        }
        return new Node.Branch(condition, controlBlock(command));
    }

    private List<Node> controlBlock(Command command) {
        if (command.block() == null) {
            problem(command.at(), command.name() + " needs a block in braces");
            return List.of();
        }
        return block(command.block());
    }

    private @Nullable Node action(Command command) {
        String name = command.name();
        Position at = command.at();
        noTestsNorBlock(command);
        switch (name) {
            case "stop", "discard" -> {
                Args.read(this, name, command.arguments(), Set.of(), at).none(this, name);
                return name.equals("stop") ? new Node.Stop(at) : new Node.Discard(at);
            }
            case "keep" -> {
                Args args = Args.read(this, name, command.arguments(), Set.of(), at, false, false, flagsTag());
                args.none(this, name);
                return new Node.Keep(args.list(this, "flags"), at);
            }
            case "fileinto" -> {
                if (!requires("fileinto", at, "fileinto")) {
                    return null;
                }
                Set<String> tags = new java.util.HashSet<>(copyTag());
                if (required.contains("mailbox")) {
                    tags.add("create");
                }
                Args args = Args.read(this, name, command.arguments(), tags, at, false, false, flagsTag());
                String mailbox = args.oneString(this, name, "a mailbox name");
                if (mailbox != null && mailbox.isEmpty() && !dynamic(mailbox)) {
                    problem(at, "fileinto needs a mailbox name, not an empty string");
                }
                return mailbox == null ? null
                        : new Node.FileInto(mailbox, args.flags.contains("copy"), args.list(this, "flags"),
                                args.flags.contains("create"), at);
            }
            case "reject", "ereject" -> {
                if (!requires(name, at, name)) {
                    return null;
                }
                String reason = Args.read(this, name, command.arguments(), Set.of(), at).oneString(this, name,
                        "the reason");
                return reason == null ? null : new Node.Reject(reason, name.equals("ereject"), at);
            }
            case "vacation" -> {
                return requires("vacation", at, "vacation") ? vacation(command) : null;
            }
            case "set" -> {
                return requires("variables", at, "set") ? set(command) : null;
            }
            case "setflag", "addflag", "removeflag" -> {
                if (!requires("imap4flags", at, name)) {
                    return null;
                }
                Args args = Args.read(this, name, command.arguments(), Set.of(), at);
                // RFC 5232 §3: with "variables", a variable name may come first
                boolean named = variables && args.positional.size() == 2;
                List<List<String>> lists = args.stringLists(this, name, named ? 2 : 1);
                String variable = null;
                if (named) {
                    if (lists.get(0).size() != 1 || !Variables.isIdentifier(lists.get(0).get(0))) {
                        problem(at, name + " takes one variable name before its flags");
                    } else {
                        variable = lists.get(0).get(0);
                    }
                }
                Node.Flags.Operation operation = name.equals("setflag") ? Node.Flags.Operation.SET
                        : name.equals("addflag") ? Node.Flags.Operation.ADD : Node.Flags.Operation.REMOVE;
                return new Node.Flags(operation, variable, lists.get(named ? 1 : 0), at);
            }
            case "redirect" -> {
                Args args = Args.read(this, name, command.arguments(), copyTag(), at);
                String address = args.oneString(this, name, "an address");
                if (address != null && !dynamic(address) && !Addresses.isMailbox(address)) {
                    problem(at, "redirect needs an address as local-part@domain, not '" + address + "'");
                    return null;
                }
                return address == null ? null : new Node.Redirect(address, args.flags.contains("copy"), at);
            }
            default -> {
                problem(at, "unknown command '" + name + "'");
                return null;
            }
        }
    }

    /** RFC 5230 §4 and RFC 6131: the response, its period, and the handle it is tracked by. */
    private @Nullable Node vacation(Command command) {
        Position at = command.at();
        Set<String> tags = new java.util.HashSet<>(Set.of("days", "subject", "from", "addresses", "handle"));
        if (required.contains("vacation-seconds")) {
            tags.add("seconds");
        }
        Args args = Args.read(this, "vacation", command.arguments(), Set.of("mime"), at, false, false, tags);
        String reason = args.oneString(this, "vacation", "the reason");
        Long days = args.number(this, "days");
        Long seconds = args.number(this, "seconds");
        if (days != null && seconds != null) {
            problem(at, "vacation takes one of :days and :seconds");
        }
        long period = seconds != null ? seconds : days != null ? multiplyDays(days, at) : 7 * 86_400L;
        String subject = args.string(this, "subject");
        String from = args.string(this, "from");
        if (from != null && !dynamic(from)) {
            dev.hato.message.HeaderAddresses.Mailbox mailbox = dev.hato.message.HeaderAddresses.first(from);
            if (mailbox == null || !Addresses.isMailbox(mailbox.address())) {
                problem(at, "vacation :from needs an address, not '" + from + "'");
            }
        }
        List<String> addresses = args.list(this, "addresses");
        String handle = args.string(this, "handle");
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

    /** RFC 5229 §4: {@code set [modifiers] <name> <value>}; one modifier per precedence. */
    private @Nullable Node set(Command command) {
        Position at = command.at();
        Set<String> modifierTags = new java.util.HashSet<>();
        for (Node.Set.Modifier modifier : Node.Set.Modifier.values()) {
            modifierTags.add(modifier.name().toLowerCase(Locale.ROOT));
        }
        Args args = Args.read(this, "set", command.arguments(), modifierTags, at);
        List<Node.Set.Modifier> modifiers = new ArrayList<>();
        for (Node.Set.Modifier modifier : Node.Set.Modifier.values()) {
            if (args.flags.contains(modifier.name().toLowerCase(Locale.ROOT))) {
                for (Node.Set.Modifier other : modifiers) {
                    if (other.precedence == modifier.precedence) {
                        problem(at, "set takes one of :" + other.name().toLowerCase(Locale.ROOT) + " and :"
                                + modifier.name().toLowerCase(Locale.ROOT) + " (the same precedence)");
                    }
                }
                modifiers.add(modifier);
            }
        }
        List<List<String>> lists = args.stringLists(this, "set", 2);
        if (lists.get(0).size() != 1 || lists.get(1).size() != 1) {
            problem(at, "set takes a name and a value, one string each");
            return null;
        }
        String name = lists.get(0).get(0);
        if (Variables.isNumber(name)) {
            problem(at, "set cannot assign to the match variable ${" + name + "}");
            return null;
        }
        if (!Variables.isIdentifier(name)) {
            problem(at, "'" + name + "' is not a variable name (letters, digits and _, not first a digit)");
            return null;
        }
        return new Node.Set(name, lists.get(1).get(0), modifiers, at);
    }

    private long multiplyDays(long days, Position at) {
        if (Long.compareUnsigned(days, Long.MAX_VALUE / 86_400L) > 0) {
            problem(at, "vacation :days is too large");
            return 0;
        }
        return days * 86_400L;
    }

    private Set<String> indexTags() {
        return required.contains("index") ? Set.of("index") : Set.of();
    }

    private Set<String> indexFlags() {
        return required.contains("index") ? Set.of("last") : Set.of();
    }

    /** RFC 5260 §6: {@code :index n} from 1, {@code :last} only with it. */
    private Condition.@Nullable Index index(Args args, Position at) {
        Long position = args.number(this, "index");
        if (position == null) {
            if (args.flags.contains("last")) {
                problem(at, ":last needs :index");
            }
            return null;
        }
        if (position == 0 || Long.compareUnsigned(position, Integer.MAX_VALUE) > 0) {
            problem(at, ":index counts from 1, not " + Long.toUnsignedString(position));
            return null;
        }
        return new Condition.Index(position.intValue(), args.flags.contains("last"));
    }

    /** RFC 5260 §4.1: {@code :zone "+hhmm"} or {@code :originalzone}, not both; the server's zone without either. */
    private Condition.Zone zone(Args args, Position at) {
        String zone = args.string(this, "zone");
        boolean original = args.flags.contains("originalzone");
        if (zone != null && original) {
            problem(at, "a date test takes one of :zone and :originalzone");
        }
        if (zone == null) {
            return original ? new Condition.Zone(null, true) : Condition.Zone.LOCAL;
        }
        if (dynamic(zone)) {
            problem(at, ":zone with a variable is not supported; write the zone as +hhmm or -hhmm");
            return Condition.Zone.LOCAL;
        }
        java.time.ZoneOffset offset = DatePart.parseZone(zone);
        if (offset == null) {
            problem(at, ":zone takes a zone as +hhmm or -hhmm, not '" + zone + "'");
            return Condition.Zone.LOCAL;
        }
        return new Condition.Zone(offset, false);
    }

    private Set<String> flagsTag() {
        return required.contains("imap4flags") ? Set.of("flags") : Set.of();
    }

    private Set<String> copyTag() {
        return required.contains("copy") ? Set.of("copy") : Set.of();
    }

    private Condition test(Test test) {
        String name = test.name();
        Position at = test.at();
        if (!name.equals("not") && !name.equals("allof") && !name.equals("anyof") && !test.tests().isEmpty()) {
            problem(at, name + " takes no test");
        }
        switch (name) {
            case "true", "false" -> {
                Args.read(this, name, test.arguments(), Set.of(), at).none(this, name);
                return name.equals("true") ? new Condition.True(at) : new Condition.False(at);
            }
            case "not" -> {
                Args.read(this, name, test.arguments(), Set.of(), at).none(this, name);
                if (test.tests().size() != 1 || test.testList()) {
                    problem(at, "not takes one test");
                    return new Condition.False(at);
                }
                return new Condition.Not(test(test.tests().get(0)), at);
            }
            case "allof", "anyof" -> {
                Args.read(this, name, test.arguments(), Set.of(), at).none(this, name);
                if (!test.testList()) {
                    problem(at, name + " takes a list of tests in parentheses");
                }
                return new Condition.Combined(name.equals("allof"), test.tests().stream().map(this::test).toList(), at);
            }
            case "exists" -> {
                Args args = Args.read(this, name, test.arguments(), Set.of(), at);
                List<String> headers = args.stringLists(this, name, 1).get(0);
                headers.forEach(header -> checkHeaderName(header, at));
                return new Condition.Exists(headers, at);
            }
            case "size" -> {
                Args args = Args.read(this, name, test.arguments(), Set.of("over", "under"), at);
                if (args.flags.size() != 1) {
                    problem(at, "size takes one of :over and :under");
                }
                if (args.positional.size() != 1 || !(args.positional.get(0) instanceof Argument.Number limit)) {
                    problem(at, "size takes one number");
                    return new Condition.False(at);
                }
                return new Condition.Size(!args.flags.contains("under"), limit.value(), at);
            }
            case "header" -> {
                Args args = Args.read(this, name, test.arguments(), indexFlags(), at, true, false, indexTags());
                List<List<String>> lists = args.stringLists(this, name, 2);
                lists.get(0).forEach(header -> checkHeaderName(header, at));
                return new Condition.Header(lists.get(0), match(args, lists.get(1), at), index(args, at), at);
            }
            case "address" -> {
                Args args = Args.read(this, name, test.arguments(), indexFlags(), at, true, true, indexTags());
                List<List<String>> lists = args.stringLists(this, name, 2);
                for (String header : lists.get(0)) {
                    if (!ADDRESS_FIELDS.contains(header.toLowerCase(Locale.ROOT))) {
                        problem(at, "the address test reads fields that hold addresses, not '" + header + "'");
                    }
                }
                return new Condition.Address(lists.get(0), args.addressPart(), match(args, lists.get(1), at),
                        index(args, at), at);
            }
            case "date", "currentdate" -> {
                if (!requires("date", at, "the " + name + " test")) {
                    return new Condition.False(at);
                }
                boolean header = name.equals("date");
                Set<String> flags = new java.util.HashSet<>(header ? indexFlags() : Set.of());
                Set<String> tags = new java.util.HashSet<>(header ? indexTags() : Set.of());
                tags.add("zone");
                if (header) {
                    flags.add("originalzone");
                }
                Args args = Args.read(this, name, test.arguments(), flags, at, true, false, tags);
                Condition.Zone zone = zone(args, at);
                if (header) {
                    List<List<String>> lists = args.stringLists(this, name, 3);
                    String field = lists.get(0).size() == 1 ? lists.get(0).get(0) : null;
                    String part = lists.get(1).size() == 1 ? lists.get(1).get(0) : null;
                    if (field == null || part == null) {
                        problem(at, "date takes one header name and one date-part");
                        return new Condition.False(at);
                    }
                    checkHeaderName(field, at);
                    return new Condition.Date(field, zone, part, match(args, lists.get(2), at), index(args, at), at);
                }
                List<List<String>> lists = args.stringLists(this, name, 2);
                if (lists.get(0).size() != 1) {
                    problem(at, "currentdate takes one date-part");
                    return new Condition.False(at);
                }
                return new Condition.CurrentDate(zone, lists.get(0).get(0), match(args, lists.get(1), at), at);
            }
            case "body" -> {
                if (!requires("body", at, "the body test")) {
                    return new Condition.False(at);
                }
                Args args = Args.read(this, name, test.arguments(), Set.of("raw", "text"), at, true, false,
                        Set.of("content"));
                List<String> types = args.list(this, "content");
                int transforms = (args.flags.contains("raw") ? 1 : 0) + (args.flags.contains("text") ? 1 : 0)
                        + (types != null ? 1 : 0);
                if (transforms > 1) {
                    problem(at, "body takes one of :raw, :content and :text");
                }
                List<String> keys = args.stringLists(this, name, 1).get(0);
                boolean raw = args.flags.contains("raw");
                return new Condition.Body(raw, types == null ? List.of() : types, !raw && types == null,
                        match(args, keys, at), at);
            }
            case "string" -> {
                if (!requires("variables", at, "the string test")) {
                    return new Condition.False(at);
                }
                Args args = Args.read(this, name, test.arguments(), Set.of(), at, true, false);
                List<List<String>> lists = args.stringLists(this, name, 2);
                return new Condition.StringTest(lists.get(0), match(args, lists.get(1), at), at);
            }
            case "mailboxexists" -> {
                if (!requires("mailbox", at, "the mailboxexists test")) {
                    return new Condition.False(at);
                }
                Args args = Args.read(this, name, test.arguments(), Set.of(), at);
                return new Condition.MailboxExists(args.stringLists(this, name, 1).get(0), at);
            }
            case "hasflag" -> {
                if (!requires("imap4flags", at, "the hasflag test")) {
                    return new Condition.False(at);
                }
                Args args = Args.read(this, name, test.arguments(), Set.of(), at, true, false);
                // RFC 5232 §4: with "variables", a list of variable names may come first
                boolean named = variables && args.positional.size() == 2;
                List<List<String>> lists = args.stringLists(this, name, named ? 2 : 1);
                List<String> names = named ? lists.get(0) : List.of();
                for (String variable : names) {
                    if (!Variables.isIdentifier(variable)) {
                        problem(at, "'" + variable + "' is not a variable name");
                    }
                }
                return new Condition.HasFlag(names, match(args, splitFlags(lists.get(named ? 1 : 0)), at), at);
            }
            case "envelope" -> {
                if (!requires("envelope", at, "the envelope test")) {
                    return new Condition.False(at);
                }
                Args args = Args.read(this, name, test.arguments(), Set.of(), at, true, true);
                List<List<String>> lists = args.stringLists(this, name, 2);
                List<String> parts = lists.get(0).stream().map(p -> p.toLowerCase(Locale.ROOT)).toList();
                for (String part : parts) {
                    if (!part.equals("from") && !part.equals("to")) {
                        problem(at, "the envelope has the parts \"from\" and \"to\", not '" + part + "'");
                    }
                }
                return new Condition.Envelope(parts, args.addressPart(), match(args, lists.get(1), at), at);
            }
            default -> {
                problem(at, "unknown test '" + name + "'");
                return new Condition.False(at);
            }
        }
    }

    private Match match(Args args, List<String> keys, Position at) {
        Comparator comparator = args.comparator();
        Match.Type type = args.matchType();
        if ((type == Match.Type.CONTAINS || type == Match.Type.MATCHES) && !comparator.substringSupported()) {
            problem(at, ":" + type.name().toLowerCase(Locale.ROOT) + " cannot be used with the comparator "
                    + comparator.name());
            type = Match.Type.IS;
        }
        if (type == Match.Type.REGEX && !comparator.name().equals("i;octet")
                && !comparator.name().equals("i;ascii-casemap")) {
            problem(at, ":regex can be used with i;octet and i;ascii-casemap only, not " + comparator.name());
            type = Match.Type.IS;
        }
        boolean relational = type == Match.Type.VALUE || type == Match.Type.COUNT;
        Relation relation = args.relation();
        Relation given = relational ? (relation == null ? Relation.EQ : relation) : null;
        if (keys.stream().anyMatch(this::dynamic)) {
            return Match.late(type, given, comparator, keys); // compiled when the keys are known
        }
        try {
            return Match.of(type, given, comparator, keys);
        } catch (IllegalArgumentException e) {
            problem(at, e.getMessage());
            return Match.of(Match.Type.IS, null, comparator, keys);
        }
    }

    /** RFC 5228 §5.7 with RFC 5322 §3.6.8: a field name is printable US-ASCII without ':', at least one. */
    private void checkHeaderName(String name, Position at) {
        boolean ok = !name.isEmpty();
        for (int i = 0; ok && i < name.length(); i++) {
            char c = name.charAt(i);
            ok = c > 32 && c < 127 && c != ':';
        }
        if (!ok) {
            problem(at, "'" + name + "' is not a header field name");
        }
    }

    private boolean requires(String capability, Position at, String what) {
        if (required.contains(capability)) {
            return true;
        }
        problem(at, what + " needs require \"" + capability + "\"");
        return false;
    }

    private void noTestsNorBlock(Command command) {
        if (!command.tests().isEmpty()) {
            problem(command.at(), command.name() + " takes no test");
        }
        if (command.block() != null) {
            problem(command.at(), command.name() + " takes no block; end it with ';'");
        }
    }

    void problem(Position at, String message) {
        problems.add(new Problem(at, message));
    }

    boolean isRequired(String capability) {
        return required.contains(capability);
    }
}
