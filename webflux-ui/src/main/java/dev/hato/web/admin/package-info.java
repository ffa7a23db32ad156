/**
 * The admin area ({@code /admin}): what site administrators and the administrators of a department's domains see of
 * their domains; first of all how the move from the old mail system goes (issue 17's dashboard).
 */
@NullMarked
package dev.hato.web.admin;

import org.jspecify.annotations.NullMarked;
