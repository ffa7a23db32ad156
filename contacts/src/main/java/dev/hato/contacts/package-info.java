/**
 * vCards as Hato handles them, with ez-vcard: {@link dev.hato.contacts.VCards} checks an uploaded vCard (one card,
 * version 3.0 or 4.0), extracts what the store indexes, and writes a card in the other version, groups included.
 *
 * <p>A group is vCard 4's {@code KIND:group} with one {@code MEMBER:urn:uuid:…} per member; in vCard 3, which has
 * neither, it is Apple's {@code X-ADDRESSBOOKSERVER-KIND:group} with {@code X-ADDRESSBOOKSERVER-MEMBER}, the form
 * vCard 3 CardDAV clients use. {@code CATEGORIES} stay what they are, labels, not groups. The {@code csv} and
 * {@code ldif} packages read and write the formats other address books export. Plain Java.
 */
@NullMarked
package dev.hato.contacts;

import org.jspecify.annotations.NullMarked;
