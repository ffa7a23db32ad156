package dev.hato.app;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails every test class during which BlockHound recorded a blocking call on a non-blocking thread (an event loop,
 * Reactor's parallel scheduler), whichever order the classes run in: registered for every test class of this module
 * by {@code META-INF/services} and {@code junit-platform.properties}. A blocking call on an event loop usually ends
 * in a caught error that a test never sees; this makes it the failure of the class that caused it.
 */
public final class BlockingCallCheck implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) {
        List<String> calls = new ArrayList<>();
        for (String call = HatoBlockHoundIntegration.BLOCKING_CALLS.poll(); call != null;
                call = HatoBlockHoundIntegration.BLOCKING_CALLS.poll()) {
            calls.add(call);
        }
        if (!calls.isEmpty()) {
            throw new AssertionError("blocking calls on non-blocking threads during "
                    + context.getRequiredTestClass().getName() + ": " + calls);
        }
    }
}
