package dev.hato.protocol;

import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/** Runs a session's one-frame-at-a-time step over a whole input batch, strictly in order. */
public final class Conversation {

    private static final Action.Write END = new Action.Write(java.nio.ByteBuffer.allocate(0));

    private Conversation() { }

    /**
     * Subscribes to {@code step} again and again, each time after the previous frame's actions completed, until it
     * returns null (input exhausted or the session stopped reading). The next frame is therefore decoded only after
     * the previous command changed the session's state — an SMTP DATA reply switches the framer before the message
     * bytes that follow it in the same batch are decoded.
     */
    public static Flux<Action> steps(Supplier<@Nullable Flux<Action>> step) {
        return Flux.defer(() -> {
                    Flux<Action> actions = step.get();
                    return actions == null ? Flux.<Action>just(END) : actions;
                })
                .repeat()
                .takeWhile(action -> action != END);
    }
}
