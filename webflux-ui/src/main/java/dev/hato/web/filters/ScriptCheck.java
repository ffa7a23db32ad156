package dev.hato.web.filters;

import java.util.List;

/**
 * What the filter page needs of the Sieve engine (in the gateway): the problems of a script, each at its line, or
 * none when it compiles.
 */
public interface ScriptCheck {

    /** One problem of a script. */
    record Problem(int line, int column, String message) { }

    List<Problem> problems(String script);
}
