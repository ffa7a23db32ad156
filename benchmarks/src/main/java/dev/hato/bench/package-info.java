/**
 * JMH benchmarks of the delivery hot path's pure parts: the codecs and parsers a message and its envelope go through
 * between the socket and the store, exercised on byte arrays prepared before measurement. Results and the command
 * lines that produced them are in {@code docs/benchmarks.md}.
 */
@NullMarked
package dev.hato.bench;

import org.jspecify.annotations.NullMarked;
