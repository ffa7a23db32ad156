package dev.hato.sieve;

import dev.hato.sieve.grammar.Position;

/** One reason a script is refused, where it is: what ManageSieve, the webmail and the CLI show at the line. */
public record Problem(Position at, String message) {

    @Override
    public String toString() {
        return at + ": " + message;
    }
}
