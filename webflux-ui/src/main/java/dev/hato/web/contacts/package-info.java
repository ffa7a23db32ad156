/**
 * The webmail's address book: the person's contacts and groups (the same book CardDAV clients sync), edited in
 * forms, imported from and exported to vCard, Outlook or Gmail CSV and Thunderbird LDIF files.
 */
@NullMarked
package dev.hato.web.contacts;

import org.jspecify.annotations.NullMarked;
