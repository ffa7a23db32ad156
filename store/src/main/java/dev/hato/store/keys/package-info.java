/**
 * Keys: the DKIM signing keys of each domain ({@link dev.hato.store.keys.DkimKeys}), kept in the store so that all
 * gateway nodes sign with the same keys; at most one active key per domain and algorithm. Depends on no other
 * feature of the store; SQL lives in {@code dev.hato.store.pg}.
 */
@NullMarked
package dev.hato.store.keys;

import org.jspecify.annotations.NullMarked;
