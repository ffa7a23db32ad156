/**
 * Audit: the log of authentication attempts ({@link dev.hato.store.audit.AuditLog} of
 * {@link dev.hato.store.audit.AuthEvent}s), written in batches in the background and queried by the
 * {@code hato audit} command. Depends on no other feature of the store; SQL lives in
 * {@code dev.hato.store.pg}.
 */
@NullMarked
package dev.hato.store.audit;

import org.jspecify.annotations.NullMarked;
