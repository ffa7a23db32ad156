/**
 * Health and metrics (docs/operations.md, "Monitoring"): the health contributors behind {@code /actuator/health}
 * and the public {@code /health}, and the meters that watch the protocols from outside their sessions (a session
 * decorator, a mail-log observer) or sample the store off the event loops. Part of the composition root: it may
 * see every capability, and nothing but {@code dev.hato.app} sees it.
 */
@NullMarked
package dev.hato.app.monitoring;

import org.jspecify.annotations.NullMarked;
