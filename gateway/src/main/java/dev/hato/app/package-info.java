/**
 * The composition root: configuration ({@link dev.hato.app.HatoProperties}), the Spring Boot application that wires
 * store, TLS, authentication and the protocol listeners, and the {@code hato} command line.
 */
@NullMarked
package dev.hato.app;

import org.jspecify.annotations.NullMarked;
