/**
 * Reading mail in webmail: folders, message lists (sorted, searched, paged), the reader, attachments, HTML made
 * safe, actions on messages and live updates.
 */
@NullMarked
package dev.hato.web.mail;

import org.jspecify.annotations.NullMarked;
