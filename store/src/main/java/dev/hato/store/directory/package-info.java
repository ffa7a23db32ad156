/**
 * Directory: domains, accounts and their passwords ({@link dev.hato.store.directory.Directory}, with the bulk
 * {@code import} of accounts), and where an address goes ({@link dev.hato.store.directory.Addresses}: aliases,
 * forwarding, catch-alls, resolved to an {@link dev.hato.store.directory.AddressRoute}). Records and reactive
 * interfaces only; SQL lives in {@code dev.hato.store.pg}. Depends on no other feature of the store.
 */
@NullMarked
package dev.hato.store.directory;

import org.jspecify.annotations.NullMarked;
