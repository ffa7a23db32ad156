/**
 * Who administers what ({@link dev.hato.store.admin.Administrators}): site administrators, and administrators of a
 * department's domains.
 */
@NullMarked
package dev.hato.store.admin;

import org.jspecify.annotations.NullMarked;
