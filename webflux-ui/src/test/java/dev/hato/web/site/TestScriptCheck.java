package dev.hato.web.site;

import dev.hato.sieve.CompileException;
import dev.hato.sieve.SieveCompiler;
import dev.hato.web.filters.ScriptCheck;
import java.util.List;

/** The filter page's check with the real Sieve engine, as the gateway wires it. */
final class TestScriptCheck {

    private TestScriptCheck() { }

    static List<ScriptCheck.Problem> problems(String script) {
        try {
            SieveCompiler.compile(script);
            return List.of();
        } catch (CompileException refused) {
            return refused.problems().stream().map(p -> new ScriptCheck.Problem(p.at().line(), p.at().column(),
                    p.message())).toList();
        }
    }
}
