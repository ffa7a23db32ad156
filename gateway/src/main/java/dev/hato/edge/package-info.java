/**
 * The network edge: binds Reactor Netty TCP servers, turns socket bytes into {@link java.nio.ByteBuffer}s for a
 * {@link dev.hato.protocol.ProtocolSession}, writes its replies with backpressure, and implements STARTTLS. The
 * only package that sees Netty; buffers are copied once on the way in and released in one place.
 */
@NullMarked
package dev.hato.edge;

import org.jspecify.annotations.NullMarked;
