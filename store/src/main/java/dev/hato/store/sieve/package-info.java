/**
 * A person's Sieve scripts as the store keeps them (the text, which one is active), and the two records delivery
 * keeps about them: vacation responses sent, and failures the owner was told about. Compiling and running scripts
 * is the {@code sieve} module's, not the store's.
 */
@NullMarked
package dev.hato.store.sieve;

import org.jspecify.annotations.NullMarked;
