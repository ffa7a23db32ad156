package dev.hato.sieve;

import dev.hato.sieve.grammar.Position;
import java.util.List;

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

    /** RFC 5228 §5.7: the decoded values of the named header fields. */
    record Header(List<String> headers, Match match, Position at) implements Condition {
        public Header {
            headers = List.copyOf(headers);
        }
    }

    /** RFC 5228 §5.1: one part of each address in the named header fields. */
    record Address(List<String> headers, AddressPart part, Match match, Position at) implements Condition {
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

    /** RFC 5232 §4: the current flags, each a value, against the flags the keys name. */
    record HasFlag(Match match, Position at) implements Condition { }
}
