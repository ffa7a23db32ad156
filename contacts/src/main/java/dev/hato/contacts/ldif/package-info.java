/**
 * Address books as LDIF (RFC 2849) the way Thunderbird exports and imports them:
 * {@link dev.hato.contacts.ldif.LdifContacts} reads and writes its {@code mozillaAbPersonAlpha} entries and its
 * mailing lists ({@code groupOfNames}), which become groups.
 */
@NullMarked
package dev.hato.contacts.ldif;

import org.jspecify.annotations.NullMarked;
