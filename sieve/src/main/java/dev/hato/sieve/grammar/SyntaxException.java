package dev.hato.sieve.grammar;

/** The script is not Sieve (RFC 5228 §8): where the parser stopped and why. */
public final class SyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    private final Position at;

    public SyntaxException(Position at, String reason) {
        super(at + ": " + reason);
        this.at = at;
    }

    public Position at() {
        return at;
    }
}
