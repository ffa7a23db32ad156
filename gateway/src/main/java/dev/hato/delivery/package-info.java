/**
 * Local delivery: resolving recipient addresses through the directory, spooling a message while it is received
 * (bounded memory, spilling to a file), and the trace header fields added on the way in.
 */
@NullMarked
package dev.hato.delivery;

import org.jspecify.annotations.NullMarked;
