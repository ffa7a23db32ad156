/**
 * Talking to the old mail system a site moves from (issues 16 and 17): a ManageSieve client that reads people's
 * scripts, and readers of the files the old system kept (.forward). Blocking clients for the command line, never
 * run on an event loop.
 */
@NullMarked
package dev.hato.legacy;

import org.jspecify.annotations.NullMarked;
