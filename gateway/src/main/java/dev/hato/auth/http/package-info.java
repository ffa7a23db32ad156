/**
 * Passwords checked by an HTTP identity service (the university "portal"): a JSON POST of auth ID and password,
 * a JSON yes or no back.
 */
@NullMarked
package dev.hato.auth.http;

import org.jspecify.annotations.NullMarked;
