package dev.hato.inbound;

/** The error results of an SPF evaluation (RFC 7208 §2.6.6, §2.6.7), as exceptions inside the evaluator. */
abstract sealed class SpfException extends RuntimeException {

    SpfException(String message) {
        super(message, null, false, false);
    }

    static final class PermError extends SpfException {
        PermError(String message) {
            super(message);
        }
    }

    static final class TempError extends SpfException {
        TempError(String message) {
            super(message);
        }
    }
}
