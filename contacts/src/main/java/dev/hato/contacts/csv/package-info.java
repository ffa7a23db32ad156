/**
 * Address books as CSV, the columns Outlook and Gmail export: {@link dev.hato.contacts.csv.CsvContacts} reads either
 * (columns found by their header names, so the old and new Google layouts and Outlook's all work) and writes Google's.
 */
@NullMarked
package dev.hato.contacts.csv;

import org.jspecify.annotations.NullMarked;
