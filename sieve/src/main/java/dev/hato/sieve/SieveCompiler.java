package dev.hato.sieve;

import dev.hato.sieve.grammar.Argument;
import dev.hato.sieve.grammar.Command;
import dev.hato.sieve.grammar.Position;
import dev.hato.sieve.grammar.Script;
import dev.hato.sieve.grammar.SieveParser;
import dev.hato.sieve.grammar.SyntaxException;
import dev.hato.sieve.grammar.Test;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a parsed script and turns it into its {@link CompiledScript}, or refuses it with every problem found (RFC 5228
 * §2.10.6: errors are found before the script runs, not on the branch a message takes months later). Checked here:
 * {@code require} first and naming only capabilities this engine has (so none is claimed that is not implemented),
 * every command and test known and required, tags known for their command and not repeated, positional arguments
 * of the right number and kind, comparators known and required, {@code :contains}/{@code :matches} only with
 * comparators that support substrings, {@code elsif}/{@code else} after an {@code if}, header names and redirect
 * addresses well formed. The script as a whole (require, control flow, encoded characters, variable namespaces) is
 * checked here, its action commands by {@link Commands}, its tests by {@link Conditions}.
 */
public final class SieveCompiler {

    /**
     * What {@code require} accepts, and what ManageSieve will advertise in {@code SIEVE}. i;octet and i;ascii-casemap
     * need not be required (RFC 5228 §2.7.3); the other comparators must be.
     */
    public static final Set<String> CAPABILITIES = Set.of("fileinto", "envelope", "copy", "subaddress", "relational",
            "encoded-character", "imap4flags", "reject", "ereject", "vacation", "vacation-seconds", "date", "index",
            "regex", "mailbox", "variables", "body",
            "comparator-i;octet", "comparator-i;ascii-casemap", "comparator-i;ascii-numeric",
            "comparator-i;unicode-casemap");

    private static final Set<String> ALWAYS = Set.of("comparator-i;octet", "comparator-i;ascii-casemap");


    private final List<Problem> problems = new ArrayList<>();
    private final Set<String> required = new HashSet<>(ALWAYS);
    /** The script requires "variables": strings may hold references, checked when they are used, not here. */
    private boolean variables;

    private final Commands actions = new Commands(this);
    private final Conditions conditions = new Conditions(this);

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
    boolean dynamic(String value) {
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
                    Node node = actions.compile(command);
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
            condition = conditions.compile(command.tests().get(0));
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

    boolean requires(String capability, Position at, String what) {
        if (required.contains(capability)) {
            return true;
        }
        problem(at, what + " needs require \"" + capability + "\"");
        return false;
    }

    void noTestsNorBlock(Command command) {
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

    /** Whether the script requires "variables": its strings may then hold references, checked when used. */
    boolean variables() {
        return variables;
    }

    boolean isRequired(String capability) {
        return required.contains(capability);
    }
}
