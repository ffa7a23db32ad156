/** What all pages share: the model every template gets (CSRF token, user, language). */
@NullMarked
package dev.hato.web.page;

import org.jspecify.annotations.NullMarked;
