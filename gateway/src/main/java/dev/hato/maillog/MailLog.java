package dev.hato.maillog;

/**
 * Where the places that know a message's facts report its events. Implementations return at once: they never
 * block, never fail, and drop an event rather than hold up the event loop that reports it.
 */
@FunctionalInterface
public interface MailLog {

    /** A log that records nothing (tests and tools). */
    MailLog NONE = event -> { };

    void record(MailEvent event);
}
