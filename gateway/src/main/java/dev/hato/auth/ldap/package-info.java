/**
 * Passwords checked by an LDAP directory: find the entry by auth ID (or build its DN from a template), then bind as
 * it; plus the listing of people for {@code hato user sync-ldap}. Built on the UnboundID LDAP SDK.
 */
@NullMarked
package dev.hato.auth.ldap;

import org.jspecify.annotations.NullMarked;
