/**
 * The message model (RFC 5322, MIME RFC 2045-2049, RFC 2047, RFC 2231): header fields and addresses, encoded words,
 * charsets, transfer encodings, the MIME part tree with the byte offsets of every part, the limits a message must
 * keep, and the text of a message for search. Plain Java: it depends on no other Hato package and on no framework,
 * so that the protocols, delivery and the web module can all use it.
 */
@NullMarked
package dev.hato.message;

import org.jspecify.annotations.NullMarked;
