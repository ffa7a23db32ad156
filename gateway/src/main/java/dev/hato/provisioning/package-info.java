/**
 * Creating and changing domains and accounts on behalf of an operator (the CLI now, the admin API later):
 * validation of names and addresses, auth ID issuing, password hashing, with one clear message per refusal; and
 * bulk imports of people ({@link dev.hato.provisioning.Provisioning#importPeople}) from a CSV file
 * ({@link dev.hato.provisioning.PeopleCsv}) or another source such as LDAP, with the list of issued auth IDs
 * ({@link dev.hato.provisioning.IssuedCsv}).
 */
@NullMarked
package dev.hato.provisioning;

import org.jspecify.annotations.NullMarked;
