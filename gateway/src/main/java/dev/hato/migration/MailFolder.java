package dev.hato.migration;

import java.io.IOException;

/**
 * One folder of an old mail store, read message by message. {@code name} is its name in Hato's form (Unicode,
 * {@code /} between levels, {@code INBOX} for the inbox), before special-use folders are mapped.
 */
interface MailFolder {

    String name();

    /**
     * Reads every message in order: for each, {@link MessageSink#open} gives the message to write its octets, flags
     * and dates into, and {@link MessageSink#close} takes it when it is complete.
     */
    void read(MessageSink sink) throws IOException;

    /** Where the importer wants a folder's messages. */
    interface MessageSink {
        /** A new message, from {@code origin} (a file name, or a file and line). */
        IncomingMessage open(String origin);

        /** The message is complete: stored, skipped or refused. */
        void close(IncomingMessage message);
    }
}
