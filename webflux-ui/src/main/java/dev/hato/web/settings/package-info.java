/** A person's own settings in webmail: for now the language of the pages, kept with their account. */
@NullMarked
package dev.hato.web.settings;

import org.jspecify.annotations.NullMarked;
