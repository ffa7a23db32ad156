/**
 * The Sieve language as text (RFC 5228 §8): a lexer and a recursive-descent parser that turn a script into a syntax
 * tree of commands, tests and arguments with their line and column, or a list of errors with theirs. No meaning is
 * given here: which commands exist and what their arguments must be is checked when the tree is compiled.
 */
@NullMarked
package dev.hato.sieve.grammar;

import org.jspecify.annotations.NullMarked;
