package dev.hato.sieve;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The result of one evaluation: the actions to carry out, implicit keep included as a {@link Action.Keep}, or, when
 * the script failed at run time or spent its budget, a keep and the reason (RFC 5228 §2.10.6: the message is kept and
 * nothing the script did before the failure happens).
 */
public record Outcome(List<Action> actions, @Nullable String failure) {

    public Outcome {
        actions = List.copyOf(actions);
        if (actions.isEmpty()) {
            throw new IllegalArgumentException("an outcome has at least one action (discard, when nothing is kept)");
        }
    }

    static Outcome failed(String reason) {
        return new Outcome(List.of(new Action.Keep()), reason);
    }

    public boolean failed() {
        return failure != null;
    }
}
