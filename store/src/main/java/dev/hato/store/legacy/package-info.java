/**
 * The old mail systems Hato runs beside during a migration ({@link dev.hato.store.legacy.LegacyBackends}): where
 * their servers are, whom to trust and log in as there, and each person's login on them.
 */
@NullMarked
package dev.hato.store.legacy;

import org.jspecify.annotations.NullMarked;
