/**
 * CardDAV (RFC 6352) on the HTTPS port: each person's address books under {@code /dav/}, found through
 * {@code /.well-known/carddav} (RFC 6764). Clients authenticate with HTTP Basic (auth ID and password) through the
 * webmail's {@link dev.hato.web.login.PasswordCheck}, so the same throttle, lockout and audit apply; nothing is kept
 * between requests. PROPFIND, REPORT (addressbook-multiget, addressbook-query, sync-collection of RFC 6578), GET,
 * PUT and DELETE; vCard 3.0 and 4.0 in and out. The store is {@link dev.hato.store.contacts.AddressBooks}.
 *
 * <p>Every URL is the authenticated person's own: {@code /dav/principal/} is whoever logged in, so no URL carries an
 * auth ID.
 */
@NullMarked
package dev.hato.web.dav;

import org.jspecify.annotations.NullMarked;
