package dev.hato.sieve;

import dev.hato.sieve.grammar.Position;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** A command of a compiled script: its arguments checked and resolved, immutable, shared between threads. */
public sealed interface Node {

    Position at();

    /** {@code if} with its {@code elsif} branches in order, and the {@code else} block or null (RFC 5228 §3.1). */
    record If(List<Branch> branches, @Nullable List<Node> otherwise, Position at) implements Node {
        public If {
            branches = List.copyOf(branches);
            otherwise = otherwise == null ? null : List.copyOf(otherwise);
        }
    }

    record Branch(Condition condition, List<Node> block) {
        public Branch {
            block = List.copyOf(block);
        }
    }

    /** RFC 5228 §3.3. */
    record Stop(Position at) implements Node { }

    /** RFC 5228 §4.3; {@code flags}: RFC 5232 {@code :flags}, null to store with the current flags. */
    record Keep(@Nullable List<String> flags, Position at) implements Node {
        public Keep {
            flags = flags == null ? null : List.copyOf(flags);
        }
    }

    /** RFC 5228 §4.4. */
    record Discard(Position at) implements Node { }

    /**
     * RFC 5228 §4.1; {@code copy}: RFC 3894 {@code :copy}, the implicit keep stays; {@code flags}: RFC 5232
     * {@code :flags}, null to store with the current flags; {@code create}: RFC 5490 §3.1 {@code :create}.
     */
    record FileInto(String mailbox, boolean copy, @Nullable List<String> flags, boolean create, Position at)
            implements Node {
        public FileInto {
            flags = flags == null ? null : List.copyOf(flags);
        }
    }

    /**
     * RFC 5232 §3: {@code setflag}, {@code addflag}, {@code removeflag} on the internal flags, or on the named
     * {@code variable} (with "variables").
     */
    record Flags(Operation operation, @Nullable String variable, List<String> flags, Position at) implements Node {
        public enum Operation { SET, ADD, REMOVE }

        public Flags {
            flags = List.copyOf(flags);
        }
    }

    /** RFC 5228 §4.2; the address checked at compile time. */
    record Redirect(String address, boolean copy, Position at) implements Node { }

    /** RFC 5429: refuse the message with {@code reason}; {@code extended}: ereject, at SMTP time when it can be. */
    record Reject(String reason, boolean extended, Position at) implements Node { }

    /**
     * RFC 5230 §4 (and RFC 6131 {@code :seconds}): answer the sender with {@code reason} at most once per
     * {@code periodSeconds} and {@code handle}; a handle not {@code handleGiven} is made of the arguments as written,
     * variables unexpanded, as Pigeonhole makes it.
     */
    record Vacation(String reason, @Nullable String subject, @Nullable String from, List<String> addresses,
                    boolean mime, String handle, boolean handleGiven, long periodSeconds, Position at)
            implements Node {
        public Vacation {
            addresses = List.copyOf(addresses);
        }
    }

    /** RFC 5229 §4: {@code set}, the modifiers in the order they apply (highest precedence first). */
    record Set(String name, String value, List<Modifier> modifiers, Position at) implements Node {
        public enum Modifier {
            LOWER(40), UPPER(40), LOWERFIRST(30), UPPERFIRST(30), QUOTEWILDCARD(20), LENGTH(10);

            final int precedence;

            Modifier(int precedence) {
                this.precedence = precedence;
            }
        }

        public Set {
            modifiers = List.copyOf(modifiers);
        }
    }
}
