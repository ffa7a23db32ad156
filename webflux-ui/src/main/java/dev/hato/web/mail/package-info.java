/** Reading mail in webmail; for now the INBOX list ({@link dev.hato.web.mail.InboxRoutes}). */
@NullMarked
package dev.hato.web.mail;

import org.jspecify.annotations.NullMarked;
