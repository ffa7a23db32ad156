package dev.hato.provisioning;

/**
 * Why one row of an import cannot be imported. {@code line} is where the row starts in its file (1-based; the
 * header is line 1), or for another source of people the 1-based position it gave the {@link Person}.
 */
public record ImportProblem(int line, String message) {

    /** {@code line 17: malformed address 'x'}. */
    @Override
    public String toString() {
        return "line " + line + ": " + message;
    }
}
