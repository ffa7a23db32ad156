/**
 * The webmail's filter page: forwarding, vacation and rules, written as the person's Sieve script (which runs at
 * delivery and which ManageSieve clients see as plain Sieve), and a text editor for scripts the builder did not
 * write.
 */
@NullMarked
package dev.hato.web.filters;

import org.jspecify.annotations.NullMarked;
