package dev.hato.sieve;

import java.util.List;
import java.util.stream.Collectors;

/** The script was refused at upload: every problem found, in the order of the script (RFC 5228 §2.10.6). */
public final class CompileException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<Problem> problems;

    public CompileException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("; ")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a refused script has at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
