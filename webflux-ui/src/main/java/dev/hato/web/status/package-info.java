/**
 * The status page and health endpoint: what is listening where, which store, how many domains and accounts. The
 * gateway provides the facts through {@link dev.hato.web.status.StatusSource}.
 */
@NullMarked
package dev.hato.web.status;

import org.jspecify.annotations.NullMarked;
