/**
 * Comparators (RFC 4790 as Sieve uses them: RFC 5228 §2.7.3) and match types ({@code :is}, {@code :contains},
 * {@code :matches} with the captures of RFC 5229 §3.2, the relational {@code :value} and {@code :count} of RFC 5231),
 * each charging its work to a {@link dev.hato.sieve.Budget}: no matcher here is slower than linear-times-pattern in
 * the value it reads.
 */
@NullMarked
package dev.hato.sieve.match;

import org.jspecify.annotations.NullMarked;
