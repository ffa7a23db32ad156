package dev.hato.sieve.grammar;

/** Where something starts in a script: line and column from 1, columns counted in characters. */
public record Position(int line, int column) {

    @Override
    public String toString() {
        return "line " + line + ", column " + column;
    }
}
