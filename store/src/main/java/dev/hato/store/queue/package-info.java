/**
 * Queue: the outbound queue shared by every gateway node ({@link dev.hato.store.queue.OutboundQueue}): queued
 * messages with their SMTP {@link dev.hato.store.queue.Envelope}, and their remote recipients with DSN parameters
 * and retry state; beside it, what outbound TLS needs across nodes: the MTA-STS policies fetched
 * ({@link dev.hato.store.queue.StsPolicyCache}) and the session counts of the TLS reports
 * ({@link dev.hato.store.queue.TlsSessions}). The queue refers to stored content by blob id only and depends on
 * no other feature of the store; entries are written by mail's delivery writer. Records and reactive interfaces only; SQL lives in
 * {@code dev.hato.store.pg}.
 */
@NullMarked
package dev.hato.store.queue;

import org.jspecify.annotations.NullMarked;
