/**
 * Webmail login: the form at {@code /login} (Spring Security WebFlux), checked by the gateway through
 * {@link dev.hato.web.login.PasswordCheck}, and logout.
 */
@NullMarked
package dev.hato.web.login;

import org.jspecify.annotations.NullMarked;
