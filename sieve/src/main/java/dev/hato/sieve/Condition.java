package dev.hato.sieve;

import dev.hato.sieve.grammar.Position;
import java.time.ZoneOffset;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** A test of a compiled script (RFC 5228 §5), its arguments checked and resolved. */
public sealed interface Condition {

    Position at();

    record True(Position at) implements Condition { }

    record False(Position at) implements Condition { }

    record Not(Condition test, Position at) implements Condition { }

    /** {@code allof} ({@code all} true) or {@code anyof}; evaluated left to right, stopping early (RFC 5228 §5.2, §5.3). */
    record Combined(boolean all, List<Condition> tests, Position at) implements Condition {
        public Combined {
            tests = List.copyOf(tests);
        }
    }

    /** RFC 5228 §5.5: every named header field is present. */
    record Exists(List<String> headers, Position at) implements Condition {
        public Exists {
            headers = List.copyOf(headers);
        }
    }

    /** RFC 5228 §5.9: {@code over} ({@code :over}) or under, the limit unsigned. */
    record Size(boolean over, long limit, Position at) implements Condition { }

    /** RFC 5260 §6 {@code :index n [:last]}: only the n-th occurrence of a field, counted from the end with last. */
    record Index(int position, boolean last) {
        /** The chosen one of {@code occurrences}, or none. */
        <T> List<T> select(List<T> occurrences) {
            int i = last ? occurrences.size() - position : position - 1;
            return i >= 0 && i < occurrences.size() ? List.of(occurrences.get(i)) : List.of();
        }
    }

    /**
     * RFC 5260 §4.1: the zone a date is compared in; {@code original}: the field's own ({@code :originalzone});
     * neither: the server's.
     */
    record Zone(@Nullable ZoneOffset offset, boolean original) {
        static final Zone LOCAL = new Zone(null, false);
    }

    /** RFC 5228 §5.7: the decoded values of the named header fields. */
    record Header(List<String> headers, Match match, @Nullable Index index, Position at) implements Condition {
        public Header {
            headers = List.copyOf(headers);
        }
    }

    /** RFC 5228 §5.1: one part of each address in the named header fields. */
    record Address(List<String> headers, AddressPart part, Match match, @Nullable Index index, Position at)
            implements Condition {
        public Address {
            headers = List.copyOf(headers);
        }
    }

    /** RFC 5228 §5.4: one part of the envelope's {@code from} or {@code to}. */
    record Envelope(List<String> parts, AddressPart part, Match match, Position at) implements Condition {
        public Envelope {
            parts = List.copyOf(parts);
        }
    }

    /**
     * RFC 5232 §4: the flags of the internal variable, or of the named {@code variables}, each a value, against the
     * flags the keys name.
     */
    record HasFlag(List<String> variables, Match match, Position at) implements Condition {
        public HasFlag {
            variables = List.copyOf(variables);
        }
    }

    /** RFC 5260 §4: a part of the date in a header field (its first occurrence unless {@code index} says). */
    record Date(String header, Zone zone, String part, Match match, @Nullable Index index, Position at)
            implements Condition { }

    /** RFC 5260 §5: a part of the date and time of the evaluation. */
    record CurrentDate(Zone zone, String part, Match match, Position at) implements Condition { }

    /** RFC 5490 §3.2: every named mailbox exists and takes deliveries. */
    record MailboxExists(List<String> mailboxes, Position at) implements Condition {
        public MailboxExists {
            mailboxes = List.copyOf(mailboxes);
        }
    }

    /** RFC 5229 §5: the expanded source strings as values; {@code :count} counts the non-empty ones. */
    record StringTest(List<String> sources, Match match, Position at) implements Condition {
        public StringTest {
            sources = List.copyOf(sources);
        }
    }

    /**
     * RFC 5173: the body as {@code :raw}, {@code :content} with these {@code types}, or {@code :text} (the default).
     */
    record Body(boolean raw, List<String> types, boolean text, Match match, Position at) implements Condition {
        public Body {
            types = List.copyOf(types);
        }
    }
}
