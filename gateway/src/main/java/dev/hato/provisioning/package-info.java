/**
 * Creating and changing domains and accounts on behalf of an operator (the CLI now, the admin API later):
 * validation of names and addresses, auth ID issuing, password hashing, with one clear message per refusal.
 */
@NullMarked
package dev.hato.provisioning;

import org.jspecify.annotations.NullMarked;
